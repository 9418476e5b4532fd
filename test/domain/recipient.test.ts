import { describe, expect, it } from 'vitest';
import { maskName, maskPhone, recipientForStaff } from '../../src/domain/recipient.ts';

const recipient = { name: '张三', phone: '138-0013-8000', province: '北京', city: '北京市', district: '朝阳区', address: '建国路 88 号 2 单元 301' };

describe('a recipient as staff see it', () => {
  it('masks name, phone and street address, keeping where it goes', () => {
    expect(recipientForStaff(recipient, false)).toEqual({ name: '张*', phone: '138****8000', province: '北京', city: '北京市', district: '朝阳区', address: '****', masked: true });
  });

  it('shows it in full for an admin', () => {
    expect(recipientForStaff(recipient, true)).toEqual({ ...recipient, masked: false });
  });

  it('copies only the recipient’s own fields', () => {
    expect(recipientForStaff({ ...recipient, extra: 'x' } as typeof recipient, true)).not.toHaveProperty('extra');
  });

  it('masks short names and phones whole', () => {
    expect(maskName('张')).toBe('*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskPhone('12345')).toBe('****');
  });
});
