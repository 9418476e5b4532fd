/**
 * An order's recipient as the hub's staff see it (issue 19, admin part): an agent, and anyone
 * reading a list, sees the name, phone and street address masked; an admin reading one order or
 * ticket sees them in full (the caller audits that read). Pure: the caller opens the sealed
 * recipient and decides who reads it; this decides what they see.
 */

/** The recipient a mall sent with the order (sealed at rest). */
export interface Recipient {
  name: string;
  phone: string;
  province: string;
  city: string;
  district: string;
  address: string;
}

/** A recipient as staff read it. */
export interface StaffRecipient extends Recipient {
  /** True when name, phone and street address are masked. */
  masked: boolean;
}

/** A name masked for an agent: its first character, then one `*` per character left (`张三` → `张*`). */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}

/** A phone masked for an agent: the first three and last four digits (`13812345678` → `138****5678`). */
export function maskPhone(phone: string): string {
  const d = phone.replace(/\D/g, '');
  return d.length < 8 ? '****' : `${d.slice(0, 3)}****${d.slice(-4)}`;
}

/**
 * The recipient in full (`full`: an admin's audited read) or masked (`张*`, `138****5678`, the
 * street address `****`; province, city and district stay, as staff need them to reason about
 * delivery). Only the recipient's own fields are copied, so nothing else the sealed value might
 * hold is ever shown.
 */
export function recipientForStaff(recipient: Recipient, full: boolean): StaffRecipient {
  const { name, phone, province, city, district, address } = recipient;
  if (full) return { name, phone, province, city, district, address, masked: false };
  return { name: maskName(name), phone: maskPhone(phone), province, city, district, address: '****', masked: true };
}
