/**
 * xenoncli's tables (olekukonko/tablewriter with row lines): a border line between every row,
 * centred headers, multi-line cells, numbers right-aligned, and a `(N rows)` footer.
 */

/** What the original prints for a value it could not fetch. */
export const UNKNOWN = "UNKNOW";

export function renderTable(headers: string[], rows: string[][]): string {
  const cells = [headers, ...rows].map((row) => headers.map((_, i) => cellLines(row[i] ?? "")));
  const widths = headers.map((_, i) => Math.max(...cells.map((row) => maxWidth(row[i]))));
  const border = "+" + widths.map((w) => "-".repeat(w + 2)).join("+") + "+";
  const out = [border];
  cells.forEach((row, r) => {
    const height = Math.max(...row.map((lines) => lines.length));
    for (let line = 0; line < height; line++) {
      const parts = row.map((lines, i) => {
        const text = lines[line] ?? "";
        if (r === 0) return center(text, widths[i]);
        return /^-?\d+(\.\d+)?$/.test(text) ? text.padStart(widths[i]) : text.padEnd(widths[i]);
      });
      out.push("| " + parts.join(" | ") + " |");
    }
    out.push(border);
  });
  out.push(`(${rows.length} rows)`);
  return out.join("\n");
}

function cellLines(text: string): string[] {
  return text.replaceAll("\t", "    ").split("\n");
}

function maxWidth(lines: string[]): number {
  return Math.max(0, ...lines.map((l) => l.length));
}

function center(text: string, width: number): string {
  const left = Math.floor((width - text.length) / 2);
  return (" ".repeat(left) + text).padEnd(width);
}
