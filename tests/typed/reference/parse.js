#!/usr/bin/env node
// LeadConduit's own parsers (the npm package leadconduit-types, pinned in package-lock.json),
// driven over pipes for the differential tests (tests/typed/reference).
//
// Input: NDJSON on stdin, one {"type": <type name>, "raw": <string>} a line.
// Output: NDJSON on stdout, one line per input line, in order: the parsed value as the library's
// own `normalize` gives it ({normal, raw, valid, <components>}, or a bare string for the string
// types), made JSON-safe: a Date becomes {"$date": ISO string}, NaN and undefined become null.
//
// Environment: TZ=UTC (moment and chrono read dates in local time); LEADWH_TODAY=YYYY-MM-DD fixes
// the day dob ages are counted to (moment.now) and the instant chrono-node (the time type) reads
// relative and partial times against (that day at 00:00 UTC, chrono's reference date), so both
// sides count from the same day.
'use strict';

const readline = require('readline');
const moment = require('moment');
const chrono = require('chrono-node');
const types = require('leadconduit-types');

if (process.env.LEADWH_TODAY) {
  const fixed = Date.parse(`${process.env.LEADWH_TODAY}T00:00:00Z`);
  if (Number.isNaN(fixed)) {
    throw new Error(`LEADWH_TODAY must be YYYY-MM-DD, not ${process.env.LEADWH_TODAY}`);
  }
  moment.now = () => fixed;
  // lib/types/time.js calls chrono.parse(text) without a reference date (so: now); give it ours
  const chronoParse = chrono.parse;
  chrono.parse = (text, ref, option) => chronoParse(text, ref ?? new Date(fixed), option);
}

const jsonSafe = (value) => {
  if (value === undefined || (typeof value === 'number' && Number.isNaN(value))) return null;
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? { $date: null } : { $date: value.toISOString() };
  }
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const key of Object.keys(value)) out[key] = jsonSafe(value[key]);
    return out;
  }
  return value;
};

const parseOne = (line) => {
  const { type, raw } = JSON.parse(line);
  if (!types.names.includes(type)) {
    return { $error: `unknown type ${type}` };
  }
  try {
    return jsonSafe(types.normalize(types.parse(type, raw)));
  } catch (err) {
    return { $error: String(err && err.message ? err.message : err) };
  }
};

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
const out = [];
lines.on('line', (line) => {
  if (!line) return;
  out.push(JSON.stringify(parseOne(line)));
  if (out.length >= 512) process.stdout.write(out.splice(0).join('\n') + '\n');
});
lines.on('close', () => {
  if (out.length) process.stdout.write(out.join('\n') + '\n');
});
