import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { jobMarkdown } from '../../src/messages';

describe('jobMarkdown', () => {
  it('tables the header fields with confidence and page', () => {
    const md = jobMarkdown({
      id: '3c9e1f0a-0000-4000-8000-000000000000',
      status: 'DONE',
      documentType: 'invoice',
      fields: [
        { name: 'documentNumber', value: 'INV-2024-0042', confidence: 0.98, page: 1 },
        { name: 'grossAmount', value: 1190, confidence: 0.955, page: 1 },
      ],
    });
    assert.ok(md.startsWith('# DOX job 3c9e1f0a-0000-4000-8000-000000000000\n'));
    assert.ok(md.includes('Status: **DONE** · document type `invoice`'));
    assert.ok(md.includes('| documentNumber | INV-2024-0042 | 98% | 1 |'));
    assert.ok(md.includes('| grossAmount | 1190 | 96% | 1 |'));
  });
  it('keeps a value with a bar or a line break in its cell', () => {
    const md = jobMarkdown({ id: 'j', status: 'DONE', fields: [{ name: 'senderAddress', value: 'Street 1 | Floor 2\nBerlin', confidence: 0.5, page: 2 }] });
    assert.ok(md.includes('| senderAddress | Street 1 \\| Floor 2 Berlin | 50% | 2 |'));
  });
  it('says when nothing was extracted', () => {
    assert.ok(jobMarkdown({ id: 'j', status: 'FAILED', fields: [] }).includes('No header fields were extracted.'));
  });
});
