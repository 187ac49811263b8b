// Parley stub (see package.json): Parley runs @libp2p/webrtc on Node with node-datachannel, never on React Native.
throw new Error('react-native-webrtc is not available in Parley (Node uses node-datachannel)');
