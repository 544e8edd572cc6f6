// The CSP allows styles only with the script's nonce (no 'unsafe-inline'), so a bundle's
// stylesheet is a <style> element carrying it. The toolkit (FAST) looks the nonce up in a
// csp-nonce meta, which is added when the host's page lacks it.
export function installStyles(nonce: string, sheets: string[]): void {
  const style = document.createElement('style');
  if (nonce) style.nonce = nonce;
  style.textContent = sheets.join('\n');
  document.head.appendChild(style);
  if (nonce && !document.querySelector('meta[property="csp-nonce"]')) {
    const meta = document.createElement('meta');
    meta.setAttribute('property', 'csp-nonce');
    meta.setAttribute('content', nonce);
    document.head.appendChild(meta);
  }
}
