// esbuild loads .css as text (esbuild.mjs): the panel injects it into a nonce'd <style>.
declare module '*.css' {
  const text: string;
  export default text;
}
