import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestBlocks, targetLines } from '../../src/requests';

const doc = [
  '\uFEFF# DOX requests', //                                         0
  '@api = https://aiservices-trial-dox.cfapps.us10.hana.ondemand.com', // 1
  '', //                                                              2
  '### capabilities', //                                              3
  '# @name caps', //                                                  4
  'GET {{api}}/document-information-extraction/v1/capabilities', //  5
  'Accept: application/json', //                                      6
  '', //                                                              7
  '###', //                                                           8
  '// list jobs', //                                                  9
  'GET {{api}}/document-information-extraction/v1/document/jobs', // 10
  '    ?clientId=default', //                                        11
  '', //                                                             12
  '### nothing here', //                                             13
  '# just a note', //                                                14
  '', //                                                             15
].join('\r\n');

describe('requestBlocks', () => {
  it('finds each request line after comments, metadata and variables, with CRLF and a BOM', () => {
    assert.deepEqual(requestBlocks(doc), [
      { start: 3, end: 7, requestLine: 5 },
      { start: 8, end: 12, requestLine: 10 },
    ]);
  });
  it('treats a file without separators as one request after its variables', () => {
    assert.deepEqual(requestBlocks('@x = 1\n\nPOST https://h/a\nContent-Type: text/plain\n\nbody\n'), [{ start: 0, end: 6, requestLine: 2 }]);
  });
  it('finds no request in an empty file or in comments only', () => {
    assert.deepEqual(requestBlocks(''), []);
    assert.deepEqual(requestBlocks('# a\n// b\n###\n'), []);
  });
});

describe('targetLines', () => {
  const blocks = requestBlocks(doc);
  const cursor = (line: number) => ({ startLine: line, endLine: line });
  it('targets the request around the cursor, wherever in it the cursor is', () => {
    assert.deepEqual(targetLines(blocks, [cursor(6)]), [5]);
    assert.deepEqual(targetLines(blocks, [cursor(3)]), [5]);
    assert.deepEqual(targetLines(blocks, [cursor(11)]), [10]);
  });
  it('targets the whole file when the cursor is outside every request', () => {
    assert.deepEqual(targetLines(blocks, [cursor(1)]), 'file');
    assert.deepEqual(targetLines(blocks, [cursor(14)]), 'file');
  });
  it('targets every request a selection touches, once each, in order', () => {
    assert.deepEqual(targetLines(blocks, [{ startLine: 12, endLine: 6 }]), [5, 10]);
    assert.deepEqual(targetLines(blocks, [cursor(10), cursor(6), cursor(11)]), [5, 10]);
  });
});
