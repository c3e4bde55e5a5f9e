/** The daemon's mysqld: started through mysqld_safe with the start role MariaDB needs. */
import { Mysqld, type StartOptions } from "../mysqld/mod.ts";

/**
 * MariaDB: every start comes up as a replica (`--init-rpl-role=SLAVE`), so a former primary drops
 * the binlog tail no replica acknowledged. The flavor is known once the server has answered.
 */
export class SupervisedMysqld extends Mysqld {
  constructor(options: Mysqld["options"], readonly role: () => StartOptions["initRplRole"]) {
    super(options);
  }
  override start(options: StartOptions = {}): Promise<boolean> {
    return super.start({ initRplRole: this.role(), ...options });
  }
}
