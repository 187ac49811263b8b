import { CardScreen } from '../../components/CardScreen';
import { useAppStore } from '../../store/appStore';

const TEXT = {
  'link-used': {
    title: 'This address was already used',
    body:
      'For your safety, the address “parley web” prints opens Parley in one browser tab only, and another ' +
      'tab or browser already uses it. Go back to that tab, or stop “parley web” (Ctrl+C), start it again ' +
      'and open the new address it prints.',
  },
  'earlier-run': {
    title: 'This tab is from an earlier run',
    body:
      'This tab belongs to an earlier run of “parley web”, which has since stopped. Open the address that ' +
      '“parley web” printed in the terminal when it started this time.',
  },
} as const;

/** The web shell will not take this tab's credential: say why and what to do, instead of reconnecting for ever. */
export function RefusedScreen() {
  const refusal = useAppStore((s) => s.connectionRefusal);
  const text = TEXT[refusal ?? 'earlier-run'];
  return (
    <CardScreen testId="refused-screen" title={text.title}>
      <div className="callout callout--error" role="alert">
        <p className="callout__text" data-testid="refused-message">
          {text.body}
        </p>
      </div>
    </CardScreen>
  );
}
