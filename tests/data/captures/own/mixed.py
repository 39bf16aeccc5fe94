"""Writes mixed_idle_logic_reg60.sr: what PulseView saves from a mixed-signal scope whose two
logic channels were left unconnected (always low) while its analog channels CH1 and CH2 were on
the head's TX and RX. The analog samples are those of ../analog/rigol_ds1054z_pulseview_reg60.sr;
the layout (logic first, analog numbered on after the probes) is libsigrok's srzip output."""
import zipfile

source = zipfile.ZipFile("../analog/rigol_ds1054z_pulseview_reg60.sr")
tx, rx = source.read("analog-1-1-1"), source.read("analog-1-2-1")
samples = len(tx) // 4
metadata = """[global]
sigrok version=0.5.2

[device 1]
capturefile=logic-1
total probes=2
samplerate=125 kHz
total analog=2
probe1=D0
probe2=D1
analog3=CH1
analog4=CH2
unitsize=1
"""
with zipfile.ZipFile("mixed_idle_logic_reg60.sr", "w") as out:
    out.writestr("version", "2", compress_type=zipfile.ZIP_STORED)
    out.writestr("metadata", metadata, compress_type=zipfile.ZIP_DEFLATED)
    out.writestr("logic-1-1", bytes(samples), compress_type=zipfile.ZIP_DEFLATED)
    out.writestr("analog-1-3-1", tx, compress_type=zipfile.ZIP_DEFLATED)
    out.writestr("analog-1-4-1", rx, compress_type=zipfile.ZIP_DEFLATED)
