/**
 * `server.tls-*`: peer RPC is HTTPS on every node or on none. A node that serves TLS but has no
 * CA calls its peers in plain HTTP, which they refuse; one with a CA but no certificate calls
 * them in HTTPS but answers in plain HTTP. Either way `cluster add` fails later, so say it now.
 */
import { error, type Finding } from "./finding.ts";

type TlsKeys = { tlsCert: string; tlsKey: string; tlsCa: string };

export function checkTls(server: TlsKeys): Finding[] {
  const has = (value: string) => value.trim() !== "";
  const [cert, key, ca] = [has(server.tlsCert), has(server.tlsKey), has(server.tlsCa)];
  if (cert !== key) {
    const [missing, given] = cert ? ["tls-key", "tls-cert"] : ["tls-cert", "tls-key"];
    return [
      error(`server.${missing}`, `empty while server.${given} is set; set both, or neither`),
    ];
  }
  if (cert && !ca) {
    return [error(
      "server.tls-ca",
      "empty while this node serves TLS (tls-cert, tls-key): it would call its peers in plain " +
        "HTTP, which they refuse; set the CA file that signed every node's certificate",
    )];
  }
  if (ca && !cert) {
    return [error(
      "server.tls-cert",
      "empty while server.tls-ca is set: this node would call its peers over HTTPS but answer " +
        "them in plain HTTP; give every node a certificate (tls-cert) and key (tls-key)",
    )];
  }
  return [];
}
