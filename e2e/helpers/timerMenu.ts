/**
 * The disappearing-messages menu's choices, in order (issue 17 item 5: 30 s
 * to 4 weeks, and a custom duration).
 */
export const TIMER_MENU_CHOICES = [
  /Off/,
  /30 seconds/,
  /5 minutes/,
  /1 hour/,
  /8 hours/,
  /1 day/,
  /1 week/,
  /4 weeks/,
  /Custom…/,
];
