/** What a search answers (DESIGN.md §2 search): hits with their snippet, highlights and place. */

export interface SearchOptions {
  /** Hits to return: default 30, at most 100. */
  limit?: number;
  /** Search only this conversation (the "search in chat" box); combines with `in:`. */
  conversationId?: number;
}

export interface SearchPosition {
  conversationId: number;
  messageId: number;
  sentAt: number;
}

export interface SearchHit {
  messageId: number;
  conversationId: number;
  conversationName: string;
  senderName: string;
  outgoing: boolean;
  sentAt: number;
  /** Plain text around the match. */
  snippet: string;
  /** [start, end) UTF-16 offsets into `snippet` of the matched words. */
  highlights: Array<[number, number]>;
  /** Where the UI jumps to: the timeline cursor of the message. */
  position: SearchPosition;
}

export interface SearchResult {
  hits: SearchHit[];
  problems: string[];
}
