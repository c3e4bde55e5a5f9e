/**
 * Runs a fixture script (a test process of its own) and reads the first line it prints, for the
 * tests that kill such a process and check what it leaves behind. SIGKILLed if silent for 30 s.
 */
export async function startFixture(
  script: URL,
): Promise<{ child: Deno.ChildProcess; firstLine: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script.pathname],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const deadline = setTimeout(() => child.kill("SIGKILL"), 30_000);
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  clearTimeout(deadline);
  reader.releaseLock();
  return { child, firstLine: text.trim() };
}
