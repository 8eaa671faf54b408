// Running the operator's commands (`ticketmonster-web migrate|create-admin|create-staff`)
// as a release phase or an operator would: environment in, exit status and output out.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, SHIM, psql } from '../lib/harness.mjs';

// The cluster's own log, where a leaked password would show up (tools/pg-cluster writes it).
export const SERVER_LOG = path.join(path.dirname(process.env.PGHOST || ''), 'server.log');

// The superuser's password comes from PGPASSFILE; another role's is given.
export function adminUrl(database, role = 'postgres', password = null) {
  const user = password ? `${role}:${password}` : role;
  return `postgresql://${user}@/${database}?host=${encodeURIComponent(process.env.PGHOST)}&port=${process.env.PGPORT}`;
}

export function webUrl(database, role) {
  return `postgresql://${role}:web-password@127.0.0.1:${process.env.PGPORT}/${database}`;
}

// Runs `ticketmonster-web ...args` with only the given environment (and PATH).
export function cli(args, env, { input = '' } = {}) {
  const r = spawnSync(SHIM, args, {
    // PGPASSFILE: the cluster's superuser password (tools/pg-cluster), as ~/.pgpass would be.
    cwd: ROOT, input, encoding: 'utf8', env: { PATH: process.env.PATH, PGPASSFILE: process.env.PGPASSFILE, ...env },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// What a failed release shows: exactly one line, naming the command.
export function oneLine(stderr) {
  const lines = stderr.split('\n').filter((l) => l !== '');
  return lines.length === 1 && lines[0].startsWith('ticketmonster-web ') ? lines[0] : null;
}

// A new empty database (no extension) and a login role for the web process.
export function emptyDatabase(name, webRole) {
  psql('postgres', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  psql('postgres', `CREATE DATABASE ${name}`);
  psql('postgres', `DROP ROLE IF EXISTS ${webRole}`);
  psql('postgres', `CREATE ROLE ${webRole} LOGIN PASSWORD 'web-password'`);
}

// The roles `role` is a member of.
export function memberships(role) {
  return psql('postgres', `SELECT string_agg(b.rolname, ',' ORDER BY b.rolname)
    FROM pg_auth_members m JOIN pg_roles b ON b.oid = m.roleid JOIN pg_roles r ON r.oid = m.member
    WHERE r.rolname = '${role}'`);
}
