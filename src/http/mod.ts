/**
 * @module
 * The HTTP listener on `server.peer-address`: the original's admin API (`/v1/*`, basic auth with
 * `mysql.admin`/`mysql.passwd`), unauthenticated read-only health endpoints for load balancers
 * and probes (`/primary`, `/read-write`, `/leader`, `/replica?lag=`, `/read-only`, `/sync`,
 * `/health`, `/liveness`, `/readiness`: GET, HEAD and OPTIONS) and `/metrics` (Prometheus text).
 */
export { type HttpApi, type HttpApiOptions, startHttpApi } from "./server.ts";
export { ADMIN_ROUTES, type Invoke, parseMembership } from "./admin.ts";
export { describe, HEALTH_CHECKS, healthAnswer, liveness, type Verdict } from "./health.ts";
export { type LagThreshold, parseLagThreshold } from "./lag_threshold.ts";
export { METRICS_CONTENT_TYPE, renderMetrics } from "./metrics.ts";
