// Writes the example rosters in this folder from the 21 fictional declarants of the protocol's test vector 1
// (test/fixtures/draw-v1.json): node docs/examples/make-examples.js
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ExcelJS = require('exceljs');
const iconv = require('iconv-lite');
const vectors = require('../../test/fixtures/draw-v1.json');

const header = ['編號', '姓名', '服務機關', '職稱', '排除原因'];
const rows = vectors.vector1.roster.map((e) => [e.id, e.name, e.unit, e.title, e.excluded || '']);
const here = __dirname;
const csv = [header, ...rows].map((r) => r.join(',')).join('\r\n') + '\r\n';

fs.writeFileSync(
  path.join(here, 'roster-113.csv'),
  Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]),
);
fs.writeFileSync(
  path.join(here, 'roster-113-big5.csv'),
  iconv.encode('113年度公職人員財產申報人名冊\r\n' + csv, 'cp950'),
);
fs.writeFileSync(
  path.join(here, 'roster-113.json'),
  JSON.stringify({ entries: vectors.vector1.roster }, null, 2) + '\n',
);

const wb = new ExcelJS.Workbook();
wb.created = new Date(Date.UTC(2025, 0, 2));
wb.modified = wb.created;
const ws = wb.addWorksheet('名冊');
ws.addRow(['113年度公職人員財產申報人名冊']);
ws.addRow(header);
rows.forEach((r) => ws.addRow(r));
ws.columns.forEach((c, i) => (c.width = [8, 12, 14, 10, 40][i]));
ws.getRow(2).font = { bold: true };
wb.xlsx.writeBuffer().then((b) => fs.writeFileSync(path.join(here, 'roster-113.xlsx'), Buffer.from(b)));

// The meeting's roster for the README: the same 21 people with no one excluded, so that the README's commands
// give the meeting of 114-01-22's figures, 21 → 3 → 1 (10% of 21 = 2.1, rounded up; 2% of 3, rounded up).
// roster-113.* above keep the test vector's exclusion (D021), which gives 20 → 2 → 1.
const meetingRows = vectors.vector1.roster.map((e) => [e.id, e.name, e.unit, e.title]);
const meeting = [header.slice(0, 4), ...meetingRows].map((r) => r.join(',')).join('\r\n') + '\r\n';
fs.writeFileSync(
  path.join(here, 'roster-113-meeting.csv'),
  Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(meeting)]),
);
const wb2 = new ExcelJS.Workbook();
wb2.created = new Date(Date.UTC(2025, 0, 2));
wb2.modified = wb2.created;
const ws2 = wb2.addWorksheet('名冊');
ws2.addRow(['113年度公職人員財產申報人名冊（114年1月22日抽籤會議）']);
ws2.addRow(header.slice(0, 4));
meetingRows.forEach((r) => ws2.addRow(r));
ws2.columns.forEach((c, i) => (c.width = [8, 12, 14, 10][i]));
ws2.getRow(2).font = { bold: true };
wb2.xlsx
  .writeBuffer()
  .then((b) => fs.writeFileSync(path.join(here, 'roster-113-meeting.xlsx'), Buffer.from(b)));
