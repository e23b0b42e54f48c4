// Bootstrap Italia loads its fonts from this path: the node's own static files, no CDN.
window.__PUBLIC_PATH__ = document.currentScript.dataset.fonts;
