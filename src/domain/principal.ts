/** Who is calling: a mall's backend, a support agent, or an operator. */
export type Principal =
  | { kind: 'mall'; mallId: string; credentialId: string }
  | { kind: 'staff'; role: StaffRole; credentialId: string; name: string };

/** Staff roles: agents handle tickets with personal data masked; admins do everything. */
export type StaffRole = 'agent' | 'admin';

/** Reference to the actor recorded in the audit log. */
export function actorOf(p: Principal): { actorType: string; actorId: string } {
  return p.kind === 'mall'
    ? { actorType: 'mall', actorId: p.mallId }
    : { actorType: p.role, actorId: p.credentialId };
}
