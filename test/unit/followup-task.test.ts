import { describe, expect, it } from 'vitest';
import { activityDate, referencedFollowupId, TASK_DESCRIPTION_LIMIT, taskDescription, taskFields } from '../../domain/followup-task.js';

describe('Task fields from a follow-up', () => {
  it("dates the Task in the org's time zone, not the server's", () => {
    const sentAt = new Date('2025-03-01T23:30:00Z');
    expect(activityDate(sentAt, 'Asia/Tokyo')).toBe('2025-03-02');
    expect(activityDate(sentAt, 'America/Los_Angeles')).toBe('2025-03-01');
    expect(activityDate(new Date('2025-03-02T07:59:00Z'), 'America/Los_Angeles')).toBe('2025-03-01');
    expect(activityDate(sentAt, 'Not/AZone')).toBe('2025-03-01'); // unknown zone: UTC
  });

  it('keeps the Description within 32,000 characters, marks a cut, and always ends with the reference', () => {
    const short = taskDescription('Hello', 'fu-1');
    expect(short.startsWith('Hello')).toBe(true);
    expect(referencedFollowupId(short)).toBe('fu-1');
    const long = taskDescription('y'.repeat(50_000), 'fu-2');
    expect(long.length).toBe(TASK_DESCRIPTION_LIMIT);
    expect(long).toContain('shortened by FastFollow');
    expect(referencedFollowupId(long)).toBe('fu-2');
    const exact = taskDescription('z'.repeat(TASK_DESCRIPTION_LIMIT - 50), 'fu-3');
    expect(exact.length).toBeLessThanOrEqual(TASK_DESCRIPTION_LIMIT);
    expect(referencedFollowupId(taskDescription(null, 'fu-4'))).toBe('fu-4');
    expect(referencedFollowupId('A Task someone typed')).toBeUndefined();
  });

  it('builds a completed email Task, linking the opportunity and owner only when known', () => {
    const followup = { id: 'fu-5', subject: 's'.repeat(300), body: null, sentAt: new Date('2025-06-01T10:00:00Z') };
    const bare = taskFields(followup, { whoId: '003A', whatId: null, ownerId: null, timeZone: 'Europe/Paris' });
    expect(bare).toMatchObject({ Status: 'Completed', TaskSubtype: 'Email', WhoId: '003A', ActivityDate: '2025-06-01' });
    expect(bare.Subject).toHaveLength(255);
    expect(bare).not.toHaveProperty('WhatId');
    expect(bare).not.toHaveProperty('OwnerId');
    expect(taskFields(followup, { whoId: '003A', whatId: '006B', ownerId: '005C', timeZone: 'UTC' })).toMatchObject({ WhatId: '006B', OwnerId: '005C' });
  });
});
