#!/usr/bin/env python3
"""Synthesises the two-channel UART signals (TX, RX) of this folder as value change dumps.

Each file is one exchange as a head on a meter's eye would see it: the request on TX, its echo
on RX half a millisecond later, then the meter's answer. Times in microseconds (sigrok-cli reads
the dumps at 1 MHz). COMMANDS.txt has the sigrok-cli lines that made the other files from these.
"""

REQUEST = bytes.fromhex("803F1001004 44DC00D".replace(" ", ""))
ANSWER = bytes.fromhex("403F1000442804430000215DA3900D")


def character(byte, data_bits, parity, stop_bits, stop_low=False):
    """The bit levels of one character: start, data (least significant first), parity, stop."""
    data = [(byte >> k) & 1 for k in range(data_bits)]
    bits = [0] + data
    if parity:
        bits.append(sum(data) % 2)
    stops = [1] * stop_bits
    if stop_low:
        # A framing error: the first stop bit low for one bit time, then the line idles.
        stops[0] = 0
    return bits + stops


class Line:
    """One channel's level over time, kept as its changes."""

    def __init__(self, baud):
        self.bit_us = 1e6 / baud
        self.edges = []  # (time in us, level)
        self.level = 1

    def set(self, t, level):
        if level != self.level:
            self.edges.append((round(t), level))
            self.level = level

    def send(self, at, data, framing, stop_low_at=None):
        """Sends `data` from `at` microseconds; gives the time its last bit ends."""
        data_bits, parity, stop_bits = framing
        t = at
        for k, byte in enumerate(data):
            for level in character(byte, data_bits, parity, stop_bits, k == stop_low_at):
                self.set(t, level)
                t += self.bit_us
            if k == stop_low_at:
                # The line rises before the next start bit, or the two would read as a break.
                self.set(t, 1)
                t += self.bit_us
        self.set(t, 1)
        return t

    def hold_low(self, at, bits):
        """A break: the line low for `bits` bit times."""
        self.set(at, 0)
        self.set(at + bits * self.bit_us, 1)
        return at + bits * self.bit_us


def write_vcd(path, comment, tx, rx, end):
    changes = sorted([(t, "!", level) for t, level in tx.edges] + [(t, '"', level) for t, level in rx.edges])
    with open(path, "w") as out:
        out.write(f"$comment {comment} $end\n$timescale 1 us $end\n$scope module head $end\n")
        out.write('$var wire 1 ! TX $end\n$var wire 1 " RX $end\n$upscope $end\n$enddefinitions $end\n')
        out.write('#0\n$dumpvars\n1!\n1"\n$end\n')
        last = None
        for t, ident, level in changes:
            if t != last:
                out.write(f"#{t}\n")
                last = t
            out.write(f"{level}{ident}\n")
        out.write(f"#{round(end)}\n")


def exchange(path, comment, baud, framing, request, answer, reaction_us, stop_low_at=None, break_after_us=None):
    tx, rx = Line(baud), Line(baud)
    start = 100_000
    end = tx.send(start, request, framing)
    rx.send(start + 500, request, framing)
    end = rx.send(end + reaction_us, answer, framing, stop_low_at)
    if break_after_us is not None:
        end = rx.hold_low(end + break_after_us, 30)
    write_vcd(path, comment, tx, rx, end + 100_000)


exchange("iec_300_7e1.vcd", "IEC 62056-21 sign-on and identification at 300 baud 7E1", 300, (7, True, 1),
         b"/?!\r\n", b"/KAM0382C\r\n", 200_000)
exchange("kmp_2400_8n2.vcd", "KMP GetRegister V1 at 2400 baud 8N2", 2400, (8, False, 2),
         REQUEST, ANSWER, 60_000)
exchange("kmp_9600_8n1_errors.vcd",
         "KMP at 9600 baud 8N1: a framing error on answer byte 8, a break 20 ms after the answer",
         9600, (8, False, 1), REQUEST, ANSWER, 40_000, stop_low_at=8, break_after_us=20_000)
