// The chat UI's behaviour, run once when the app loads (also inside a <gradio-app> web component).
// - A marker [n] reveals its source card inside the sources panel, which scrolls on its own:
//   nothing else on the page moves, so the chat and the header stay where they are.
// - Hovering, focusing or tapping a marker shows a preview (speaker, type, page, quote, link).
// - "Copy" buttons under each answer copy that answer with its sources and absolute permalinks.
// - Network and rate-limit failures of the app's own requests become one friendly line.
() => {
  if (window.__hrcChat) return;
  window.__hrcChat = true;

  const apps = () => Array.from(document.querySelectorAll('gradio-app'));
  const roots = () => [document, ...apps().filter((app) => app.shadowRoot).map((app) => app.shadowRoot)];
  const locate = (id) => {
    for (const root of roots()) {
      const el = root.getElementById ? root.getElementById(id) : root.querySelector('#' + CSS.escape(id));
      if (el) return el;
    }
    return null;
  };
  const within = (event, selector) =>
    event.composedPath().find((el) => el instanceof Element && el.matches && el.matches(selector));

  // The app's own address: permalinks in copied text are relative to it.
  const appBase = () => {
    const app = apps().find((a) => a.getAttribute('src'));
    if (app) return new URL(app.getAttribute('src'), location.href).href.replace(/\/?$/, '/');
    return location.origin + location.pathname;
  };

  const scroller = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (/(auto|scroll)/.test(style.overflowY) && p.scrollHeight > p.clientHeight + 1) return p;
    }
    return null;
  };

  // Scroll only the sources panel to the card, and the window (which the reader can always
  // scroll back) just enough to show the panel. Never scrollIntoView: it also scrolls
  // containers the reader cannot scroll back.
  const reveal = (card) => {
    for (let p = card.parentElement; p; p = p.parentElement) { if (p.tagName === 'DETAILS') p.open = true; }
    const full = card.querySelector('details.src-full');
    if (full) full.open = true;
    const box = scroller(card);
    if (box) {
      const offset = card.getBoundingClientRect().top - box.getBoundingClientRect().top;
      box.scrollTo({top: box.scrollTop + offset - 8, behavior: 'smooth'});
      const rect = box.getBoundingClientRect();
      if (rect.top < 0 || rect.top > window.innerHeight * 0.6) window.scrollBy({top: rect.top - 8, behavior: 'smooth'});
    } else {
      const top = card.getBoundingClientRect().top;
      if (top < 0 || top > window.innerHeight * 0.8) window.scrollBy({top: top - 12, behavior: 'smooth'});
    }
    card.classList.add('src-flash');
    setTimeout(() => card.classList.remove('src-flash'), 1600);
    card.focus({preventScroll: true});
  };

  // ---- preview
  let preview = null;
  let hideTimer = null;
  const hidePreview = () => { if (preview) { preview.remove(); preview = null; } };
  const cardOf = (link) => locate((link.getAttribute('href') || '').replace(/^#/, ''));
  const textOf = (root, selector) => (root.querySelector(selector)?.textContent || '').trim();
  const showPreview = (link) => {
    clearTimeout(hideTimer);
    hidePreview();
    const card = cardOf(link);
    if (!card) return;
    preview = document.createElement('div');
    preview.className = 'cite-preview';
    preview.setAttribute('role', 'tooltip');
    const head = document.createElement('div');
    head.className = 'pv-head';
    head.textContent = textOf(card, '.src-speaker') + ' ';
    const meta = document.createElement('span');
    meta.className = 'pv-meta';
    const behalf = textOf(card, '.src-behalf');
    meta.textContent = '(' + textOf(card, '.src-type') + (behalf ? ', ' + behalf : '') + '), ' + textOf(card, '.src-page');
    head.appendChild(meta);
    const quote = document.createElement('blockquote');
    quote.textContent = '“' + (card.getAttribute('data-quote') || textOf(card, '.src-quote')) + '”';
    const full = document.createElement('a');
    full.href = card.querySelector('a.src-link')?.getAttribute('href') || '#';
    full.target = '_blank';
    full.rel = 'noopener';
    full.textContent = 'Full statement';
    preview.append(head, quote, full);
    preview.addEventListener('mouseenter', () => clearTimeout(hideTimer));
    preview.addEventListener('mouseleave', () => { hideTimer = setTimeout(hidePreview, 300); });
    const root = link.getRootNode();
    (root instanceof ShadowRoot ? root : document.body).appendChild(preview);
    const r = link.getBoundingClientRect();
    const width = preview.offsetWidth;
    const height = preview.offsetHeight;
    const left = Math.max(8, Math.min(r.left, window.innerWidth - width - 8));
    const below = r.bottom + 6 + height < window.innerHeight;
    preview.style.left = left + 'px';
    preview.style.top = (below ? r.bottom + 6 : Math.max(8, r.top - height - 6)) + 'px';
  };
  const hover = (event) => within(event, '#chat a.cite');
  document.addEventListener('mouseover', (event) => { const link = hover(event); if (link) showPreview(link); }, true);
  document.addEventListener('mouseout', (event) => { if (hover(event)) hideTimer = setTimeout(hidePreview, 300); }, true);
  document.addEventListener('focusin', (event) => { const link = hover(event); if (link) showPreview(link); }, true);
  document.addEventListener('focusout', (event) => { if (hover(event)) hideTimer = setTimeout(hidePreview, 300); }, true);
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape') hidePreview(); }, true);

  // ---- copy
  const copy = async (link) => {
    const [, turn, format] = (link.getAttribute('href') || '').match(/^#copy-(\d+)-(\w+)$/) || [];
    let section = null;
    for (const root of roots()) section = section || root.querySelector(`#sources-panel .src-turn[data-turn="${turn}"]`);
    if (!section) { status('That answer can no longer be copied; ask the question again.', true); return; }
    const text = (section.getAttribute('data-copy-' + format) || '').split('{BASE}').join(appBase());
    let done = false;
    try {
      await navigator.clipboard.writeText(text);
      done = true;
    } catch (error) {
      const area = document.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      document.body.appendChild(area);
      area.select();
      done = document.execCommand('copy');
      area.remove();
    }
    window.__hrcLastCopy = text;
    link.classList.toggle('copied', done);
    setTimeout(() => link.classList.remove('copied'), 2000);
    status(done ? 'Copied the answer with its sources.' : 'Copying was refused by the browser; select the text instead.', !done);
  };

  // ---- one friendly status line
  const status = (message, isError) => {
    for (const root of roots()) {
      const line = root.querySelector ? root.querySelector('#hrc-status') : null;
      if (!line) continue;
      line.textContent = '';
      if (!message) continue;
      const p = document.createElement('p');
      p.className = isError ? 'hrc-status-line' : 'hrc-status-line hrc-status-info';
      p.textContent = message;
      line.appendChild(p);
      if (!isError) setTimeout(() => { if (line.contains(p)) p.remove(); }, 2500);
    }
  };
  window.__hrcStatus = status;

  document.addEventListener('click', (event) => {
    const copyLink = within(event, 'a.copy-answer');
    if (copyLink) {
      event.preventDefault();
      event.stopPropagation();
      copy(copyLink);
      return;
    }
    const link = within(event, 'a.cite, a[href^="#src-"], a.src-back');
    if (!link) { if (preview && !within(event, '.cite-preview')) hidePreview(); return; }
    const id = (link.getAttribute('href') || '').replace(/^#/, '');
    if (!id) return;
    event.preventDefault();
    event.stopPropagation();
    if (link.classList.contains('src-back')) {
      const chat = locate(id);
      if (chat) window.scrollBy({top: chat.getBoundingClientRect().top - 8, behavior: 'smooth'});
      return;
    }
    const card = locate(id);
    if (card) reveal(card);
    else status('That source is no longer shown; ask the question again to see it.', true);
    if (link.matches('#chat a.cite') && matchMedia('(hover: none)').matches) showPreview(link);
  }, true);

  // ---- failures of the app's own requests: one line, the conversation stays
  // When the answer request itself fails, the box is unlocked and gets its question back
  // (the server side drops the unanswered bubble on the next question).
  const recover = () => {
    for (const root of roots()) {
      const box = root.querySelector ? root.querySelector('#question textarea') : null;
      if (!box || !box.disabled) continue;
      box.disabled = false;
      const pending = root.querySelector('#chat .spinner');
      if (!box.value && pending) {
        const asked = Array.from(root.querySelectorAll('#chat .msg.question'));
        box.value = asked.length ? asked[asked.length - 1].textContent.trim() : '';
        box.dispatchEvent(new Event('input', {bubbles: true}));
      }
      root.querySelectorAll('#examples button, #follow-up').forEach((b) => { b.disabled = false; });
      root.querySelectorAll('#chat .spinner').forEach((s) => { s.parentElement.textContent = 'Not answered.'; });
    }
  };
  const original = window.fetch.bind(window);
  window.fetch = async (...args) => {
    const url = String(args[0] && args[0].url ? args[0].url : args[0]);
    const ours = /\/gradio_api\/(queue|run|call)\//.test(url);
    try {
      const response = await original(...args);
      if (ours && response.status === 429) { status('Too many questions in a short time: wait a few seconds and ask again.', true); recover(); }
      else if (ours && response.status >= 500) { status('The assistant is not reachable right now; your conversation is kept. Try again in a moment.', true); recover(); }
      else if (ours && response.ok) status('', false);
      return response;
    } catch (error) {
      if (ours) { status('The assistant is not reachable right now; your conversation is kept. Try again in a moment.', true); recover(); }
      throw error;
    }
  };
}
