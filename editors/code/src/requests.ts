// Where the requests of a .http document are, without VS Code, so "DOX:
// Insert Bearer Header" can target the request under the cursor (docs/protocol.md
// grammar: blocks separated by "###" lines; comments, "# @name" metadata and
// "@var = value" lines before the request line).

export interface RequestBlock {
  /** First line of the block (0-based). */
  start: number;
  /** Last line of the block (0-based, inclusive). */
  end: number;
  /** The request line ("GET https://…"). */
  requestLine: number;
}

export interface LineRange {
  /** 0-based, inclusive. */
  startLine: number;
  endLine: number;
}

const SEPARATOR = /^###/;
const COMMENT = /^\s*(#|\/\/)/;
const VARIABLE = /^\s*@[^\s=]+\s*=/;

/** The blocks of a document that hold a request. */
export function requestBlocks(text: string): RequestBlock[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const blocks: RequestBlock[] = [];
  let start = 0;
  let requestLine = -1;
  const close = (end: number) => {
    if (requestLine >= 0) {
      blocks.push({ start, end, requestLine });
    }
  };
  lines.forEach((line, i) => {
    if (SEPARATOR.test(line)) {
      close(i - 1);
      start = i;
      requestLine = -1;
      return;
    }
    if (requestLine < 0 && line.trim() !== '' && !COMMENT.test(line) && !VARIABLE.test(line)) {
      requestLine = i;
    }
  });
  close(lines.length - 1);
  return blocks;
}

/**
 * The request lines to pass to doxls.insertBearer for the given selections:
 * the requests the selections touch (an empty selection touches the request
 * around the cursor), or "file" when they touch none, so the command then
 * covers every request of the document.
 */
export function targetLines(blocks: RequestBlock[], selections: LineRange[]): number[] | 'file' {
  const lines = new Set<number>();
  for (const sel of selections) {
    const lo = Math.min(sel.startLine, sel.endLine);
    const hi = Math.max(sel.startLine, sel.endLine);
    for (const b of blocks) {
      if (b.start <= hi && b.end >= lo) {
        lines.add(b.requestLine);
      }
    }
  }
  return lines.size === 0 ? 'file' : [...lines].sort((a, b) => a - b);
}
