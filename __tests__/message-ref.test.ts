import { decodeMessageRef, encodeMessageRef, refChannel, refForTarget } from '../src/channels/message-ref.js';

describe('message_ref', () => {
  it('is one opaque token of the channel and its message coordinates, read back only by that channel', () => {
    const ref = encodeMessageRef('slack', { c: 'C0123', ts: '1796000000.000100' });
    expect(ref).toMatch(/^slack:[A-Za-z0-9_-]+$/);
    expect(refChannel(ref)).toBe('slack');
    expect(decodeMessageRef(ref, 'slack', ['c', 'ts'])).toEqual({ c: 'C0123', ts: '1796000000.000100' });
    expect(decodeMessageRef(ref, 'discord', ['m'])).toBeNull();
    expect(decodeMessageRef(ref, 'slack', ['c', 'ts', 'missing'])).toBeNull();
    expect(decodeMessageRef('slack:not-json', 'slack', [])).toBeNull();
    expect(decodeMessageRef(`slack:${Buffer.from('[1,2]').toString('base64url')}`, 'slack', [])).toBeNull();
  });

  it('picks the target’s ref out of message_refs by name, or takes one bare ref for its channel', () => {
    const slack = encodeMessageRef('slack', { c: 'C1', ts: '1.2' });
    const discord = encodeMessageRef('discord', { m: '1234' });
    const refs = JSON.stringify({ 'team chat': slack, discord });
    expect(refForTarget(refs, 'team chat', 'slack')).toEqual({ ref: slack, problem: null });
    expect(refForTarget(refs, 'discord', 'discord')).toEqual({ ref: discord, problem: null });
    expect(refForTarget(refs, 'other', 'slack')).toEqual({
      ref: null,
      problem: 'update has no message_ref for target "other"; posting a new message',
    });
    expect(refForTarget(refs, 'discord', 'slack')).toEqual({
      ref: null,
      problem: 'update: the message_ref is for discord, not slack; posting a new message',
    });
    expect(refForTarget(slack, 'anything', 'slack')).toEqual({ ref: slack, problem: null });
    expect(refForTarget('{"a":', 'a', 'slack')).toEqual({
      ref: null,
      problem: 'update: not valid JSON; pass the message_refs output of an earlier step as it is',
    });
    expect(refForTarget('hello world', 'a', 'slack').problem).toBe(
      'update: not a message_ref of ci-notify; posting a new message',
    );
    expect(refForTarget('  ', 'a', 'slack')).toEqual({ ref: null, problem: null });
  });

  it('reads message_refs whose spaces and $ were written as JSON escapes (the output form)', () => {
    const ref = encodeMessageRef('discord', { m: '1' });
    const output = JSON.stringify({ 'ops $HOME room': ref }).replace(
      /[\s$]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
    expect(output).not.toMatch(/[\s$]/);
    expect(refForTarget(output, 'ops $HOME room', 'discord')).toEqual({ ref, problem: null });
  });
});
