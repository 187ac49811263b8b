/** The sentence shared with an invite link, for chat apps or mail that show it as is. */
export function inviteText(displayName: string, link: string): string {
  return `${displayName} invites you to chat on Parley. Paste this invite in Parley (Add contact): ${link}`;
}

/**
 * The invite link inside whatever the user pasted: the whole shared sentence
 * or the bare link. Returns the input
 * trimmed when no link is found, so the decoder reports it as invalid.
 */
export function extractInviteLink(pasted: string): string {
  const found = /parley:\/\/invite\/[A-Za-z0-9_-]+/.exec(pasted);
  return found ? found[0] : pasted.trim();
}
