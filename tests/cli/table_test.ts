import assert from "node:assert/strict";
import { renderTable } from "../../src/cli/table.ts";

Deno.test("renderTable draws xenoncli's bordered table with multi-line cells and a row count", () => {
  const text = renderTable(
    ["ID", "Raft", "Backup"],
    [
      ["10.0.0.1:8801", "[ViewID:6 EpochID:2]@LEADER", "state:[NONE]\nLastError:"],
      ["10.0.0.2:8801", "UNKNOW", "UNKNOW"],
    ],
  );
  assert.equal(
    text,
    [
      "+---------------+-----------------------------+--------------+",
      "|      ID       |            Raft             |    Backup    |",
      "+---------------+-----------------------------+--------------+",
      "| 10.0.0.1:8801 | [ViewID:6 EpochID:2]@LEADER | state:[NONE] |",
      "|               |                             | LastError:   |",
      "+---------------+-----------------------------+--------------+",
      "| 10.0.0.2:8801 | UNKNOW                      | UNKNOW       |",
      "+---------------+-----------------------------+--------------+",
      "(2 rows)",
    ].join("\n"),
  );
});

Deno.test("renderTable right-aligns numbers and prints (0 rows) for an empty table", () => {
  assert.equal(
    renderTable(["ID", "LPromotes"], [["a", "7"]]).split("\n")[3],
    "| a  |         7 |",
  );
  assert.ok(renderTable(["Nodes"], []).endsWith("(0 rows)"));
});
