/**
 * The client's address as far as we can trust it. Each proxy in front of the API appends the address
 * it received the request from to X-Forwarded-For, so reading from the right: the socket peer is the
 * nearest proxy, the last entry is what that proxy saw, and so on. With `trustedProxies` hops, the
 * entry that many steps from the socket is the client; anything further left is whatever the client
 * chose to send and is never used. With 0 (TRUST_PROXY=false) the header is ignored entirely.
 */
export function trustedClientAddress(socketAddress: string | undefined, forwardedFor: string | undefined, trustedProxies: number): string {
  const chain = [socketAddress ?? 'unknown'];
  if (trustedProxies > 0 && forwardedFor) {
    const entries = forwardedFor.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
    chain.push(...entries.reverse());
  }
  // Fewer entries than trusted hops: the leftmost one was still written by one of our proxies.
  const address = chain[Math.min(trustedProxies, chain.length - 1)]!;
  return address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '').slice(0, 100);
}
