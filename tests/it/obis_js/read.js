// Reads a meter that pushes its telegrams unasked with smartmeter-obis, the library behind
// ioBroker's smartmeter adapter, set up as that adapter sets it up, and prints what its user
// gets as JSON: the library's version and, for each telegram, every OBIS code with its values.
//
//     node read.js PORT SmlProtocol|D0Protocol [TELEGRAMS]
//     node read.js --options FILE [TELEGRAMS]
//
// The library is found through NODE_PATH. Any error the library reports ends the reading with
// exit code 1; so does a reading still not done after 15 s, whatever it waits for.
'use strict';

const SmartmeterObis = require('smartmeter-obis');
const { version } = require('smartmeter-obis/package.json');

const LIMIT_MS = 15000;
const args = process.argv.slice(2);
const usage = () => {
    process.stderr.write(
        'usage: node read.js PORT SmlProtocol|D0Protocol [TELEGRAMS]\n' +
            '       node read.js --options FILE [TELEGRAMS]\n',
    );
    process.exit(2);
};

// Both meters push at 9600 baud and one stop bit; the framing is each protocol's own. A
// pseudo-terminal keeps no data bits or parity, so 7E1 is accepted and changes nothing there;
// it is set because a real mode D meter needs it.
const FRAMING = {
    SmlProtocol: { dataBits: 8, parity: 'none' },
    D0Protocol: { dataBits: 7, parity: 'even' },
};

/** The options written here for a port and a protocol. */
function ownOptions(port, protocol) {
    const framing = FRAMING[protocol];
    if (!port || !framing) {
        usage();
    }
    return {
        protocol,
        transport: 'SerialResponseTransport',
        transportSerialPort: port,
        transportSerialBaudrate: 9600,
        transportSerialDataBits: framing.dataBits,
        transportSerialParity: framing.parity,
        transportSerialStopBits: 1,
        // A telegram with a bad CRC is an error, not a reading.
        protocolSmlIgnoreInvalidCRC: false,
        // One second between readings: the port is closed after each telegram and opened again
        // a second later, as the adapter does at its shortest interval, so the telegrams read
        // are different ones.
        requestInterval: 1,
        obisNameLanguage: 'en',
    };
}

// With --options, a file of options as kmp-workbench's `config --to smartmeter-obis` hands
// them over, taken as they are.
const [given, count = '2'] =
    args[0] === '--options'
        ? [JSON.parse(require('fs').readFileSync(args[1], 'utf8')), args[2]]
        : [ownOptions(args[0], args[1]), args[2]];
const wanted = Number(count);
if (!(wanted > 0)) {
    usage();
}
const options = { ...given, logger: (message) => process.stderr.write(`${message}\n`) };

const telegrams = [];
let transport;

const deadline = setTimeout(() => {
    process.stderr.write(`smartmeter-obis read ${telegrams.length} of ${wanted} telegrams in ${LIMIT_MS / 1000} s\n`);
    process.exit(1);
}, LIMIT_MS);

function store(error, result) {
    if (error) {
        process.stderr.write(`smartmeter-obis reported: ${error.message || error}\n`);
        process.exit(1);
    }
    const telegram = {};
    for (const obis of Object.values(result)) {
        telegram[obis.idToString()] = {
            name: SmartmeterObis.ObisNames.resolveObisName(obis, options.obisNameLanguage).obisName,
            raw: obis.getRawValue() === undefined ? null : obis.getRawValue(),
            // The value as the library made it, and as JavaScript writes that value, exactly.
            values: obis.getValues().map(({ value, unit }) => ({ value, unit, text: String(value) })),
        };
    }
    telegrams.push(telegram);
    if (telegrams.length === wanted) {
        transport.stop(() => {
            clearTimeout(deadline);
            process.stdout.write(`${JSON.stringify({ version, telegrams })}\n`);
            process.exit(0);
        });
    }
}

transport = SmartmeterObis.init(options, store);
transport.process();
