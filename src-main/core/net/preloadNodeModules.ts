/**
 * Loads what `ParleyNode.create` will load (libp2p, its transports, and WebRTC
 * for a node that may sit behind NAT) ahead of it: a shell calls this while an
 * unlock derives its key, which runs on libuv's pool and leaves this thread
 * idle, so the node starts without ~0.5 s of module loading after unlock.
 */
export async function preloadNodeModules(options: { webrtc: boolean }): Promise<void> {
  await Promise.all([import('./libp2pHost'), options.webrtc ? import('@libp2p/webrtc') : null]);
}
