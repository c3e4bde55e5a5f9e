import assert from "node:assert/strict";
import { discoverConfigPath, loadConfig } from "../../src/config/mod.ts";

async function withDirs(fn: (cwd: string, exeDir: string) => Promise<void> | void): Promise<void> {
  const root = await Deno.makeTempDir({ prefix: "xenon-config-test-" });
  try {
    await Deno.mkdir(`${root}/cwd`);
    await Deno.mkdir(`${root}/bin`);
    await fn(`${root}/cwd`, `${root}/bin`);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

Deno.test("discovery order: -c, then XENON_CONFIG, then config.path in cwd, then beside the executable", async () => {
  await withDirs(async (cwd, exeDir) => {
    await Deno.writeTextFile(`${exeDir}/config.path`, "/etc/xenon/from-exe.json\n");
    assert.equal(discoverConfigPath({ cwd, exeDir }), "/etc/xenon/from-exe.json");
    await Deno.writeTextFile(`${cwd}/config.path`, "  /etc/xenon/from-cwd.json  \n");
    assert.equal(discoverConfigPath({ cwd, exeDir }), "/etc/xenon/from-cwd.json");
    assert.equal(discoverConfigPath({ env: "/env.json", cwd, exeDir }), "/env.json");
    assert.equal(discoverConfigPath({ env: "", cwd, exeDir }), "/etc/xenon/from-cwd.json");
    assert.equal(
      discoverConfigPath({ flag: "/flag.json", env: "/env.json", cwd, exeDir }),
      "/flag.json",
    );
  });
});

Deno.test("a relative path in config.path is taken relative to that config.path", async () => {
  await withDirs(async (cwd, exeDir) => {
    await Deno.writeTextFile(`${exeDir}/config.path`, "xenon.json");
    assert.equal(discoverConfigPath({ cwd, exeDir }), `${exeDir}/xenon.json`);
  });
});

Deno.test("no config anywhere, or an empty config.path, says what to do in one line", async () => {
  await withDirs(async (cwd, exeDir) => {
    assert.throws(() => discoverConfigPath({ cwd, exeDir }), {
      name: "ConfigError",
      message:
        `no config file: pass -c FILE, set XENON_CONFIG, or write the config's path into ${cwd}/config.path`,
    });
    await Deno.writeTextFile(`${cwd}/config.path`, "\n");
    assert.throws(() => discoverConfigPath({ cwd, exeDir }), {
      message: `${cwd}/config.path is empty; write the path of xenon.json into it`,
    });
    assert.throws(() => discoverConfigPath({ flag: " ", cwd, exeDir }), {
      message: "-c/--config: empty path; expected FILE",
    });
  });
});

Deno.test("loadConfig: a missing file or a directory is one line naming the path and the fix", async () => {
  await withDirs(async (cwd) => {
    await assert.rejects(loadConfig(`${cwd}/nope.json`), {
      name: "ConfigError",
      message:
        `config file ${cwd}/nope.json does not exist; pass -c FILE or fix the path in config.path`,
    });
    await assert.rejects(loadConfig(cwd), {
      message: `config file ${cwd} is a directory; pass the xenon.json file inside it`,
    });
    await Deno.writeFile(`${cwd}/bin.json`, new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    await assert.rejects(loadConfig(`${cwd}/bin.json`), {
      message: `config file ${cwd}/bin.json is not UTF-8 text; expected a JSON file`,
    });
    await Deno.writeTextFile(
      `${cwd}/ok.json`,
      '{"mysql": {"port": 3307}, "raft": {"semi-sync-degrad": true}}',
    );
    const { config, warnings } = await loadConfig(`${cwd}/ok.json`);
    assert.equal(config.mysql.port, 3307);
    assert.deepEqual(warnings, ["raft.semi-sync-degrad: unknown key, ignored"]);
  });
});
