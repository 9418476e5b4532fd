/** Who is calling: a mall's backend, a support agent, or an operator. */
export type Principal =
  | { kind: 'mall'; mallId: string; credentialId: string }
  | {
      kind: 'staff';
      role: StaffRole;
      /** The staff token (or `bootstrap`): what audit entries and assignments name, whether it came itself or through a session. */
      credentialId: string;
      name: string;
      /** Set when the bearer was a session (POST /admin/sessions) made from that token: the id to revoke at sign-out. */
      sessionId?: string;
    };

/** Staff roles: agents handle tickets with personal data masked; admins do everything. */
export const STAFF_ROLES = ['agent', 'admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** Who an audit entry says acted: a mall (its API key), a staff role, or the hub itself (start-up tasks). */
export const ACTOR_TYPES = ['mall', ...STAFF_ROLES, 'system'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** Reference to the actor recorded in the audit log. */
export function actorOf(p: Principal): { actorType: ActorType; actorId: string } {
  return p.kind === 'mall'
    ? { actorType: 'mall', actorId: p.mallId }
    : { actorType: p.role, actorId: p.credentialId };
}
