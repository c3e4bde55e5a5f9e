/** The test harness: real mariadbd instances and clusters (see mariadb.ts). */
export * from "./mariadb.ts";
