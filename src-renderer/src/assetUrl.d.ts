/** Vite's `?url` imports: the built asset's URL on the app's own origin (https://vite.dev/guide/assets). */
declare module '*?url' {
  const url: string;
  export default url;
}
