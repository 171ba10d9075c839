// jixiao serve: the page's script. Plain JS, no framework, no build step; it talks only
// to the local server that served it (the token travels in the X-Jixiao-Token header).
'use strict';

(() => {
  const TOKEN = document.querySelector('meta[name="jixiao-token"]').content;
  const $ = (sel) => document.querySelector(sel);

  const SEVERITIES = [
    ['error', '错误'],
    ['warning', '警告'],
    ['info', '提示'],
  ];
  const RANK = { error: 3, warning: 2, info: 1 };
  // Findings shown per severity in a card; the rest are counted.
  const MAX_FINDINGS_SHOWN = 300;
  // Reads sent to the server at once.
  const READ_CONCURRENCY = 2;

  const state = {
    docs: [], // { id, name, files, result, error, card, sheetIndex, preview, reading }
    selected: null,
    template: null, // File
    templateId: null,
    layouts: [],
    nextId: 1,
  };

  // ---------------------------------------------------------------- small helpers

  function esc(s) {
    return String(s)
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;');
  }

  function colName(c) {
    let s = '';
    let n = c + 1;
    while (n > 0) {
      const m = (n - 1) % 26;
      s = String.fromCharCode(65 + m) + s;
      n = Math.floor((n - 1) / 26);
    }
    return s;
  }

  function a1(r, c) {
    return colName(c) + (r + 1);
  }

  // "Sheet!D40:E40" (sheet possibly quoted) → {sheet, row, col, last_row, last_col}.
  function parseCellRef(ref) {
    if (!ref) return null;
    const bang = ref.lastIndexOf('!');
    if (bang < 0) return null;
    let sheet = ref.slice(0, bang);
    if (sheet.length > 1 && sheet.startsWith("'") && sheet.endsWith("'")) {
      sheet = sheet.slice(1, -1).replace(/''/g, "'");
    }
    const parts = ref.slice(bang + 1).split(':');
    const pos = parts.map((p) => {
      const m = /^\$?([A-Za-z]+)\$?(\d+)$/.exec(p.trim());
      if (!m) return null;
      let col = 0;
      for (const ch of m[1].toUpperCase()) col = col * 26 + (ch.charCodeAt(0) - 64);
      return [parseInt(m[2], 10) - 1, col - 1];
    });
    if (!pos[0] || (parts.length > 1 && !pos[1])) return null;
    const end = pos[1] || pos[0];
    return {
      sheet,
      row: Math.min(pos[0][0], end[0]),
      col: Math.min(pos[0][1], end[1]),
      last_row: Math.max(pos[0][0], end[0]),
      last_col: Math.max(pos[0][1], end[1]),
    };
  }

  function severityOf(f) {
    const s = String(f.severity || '').toLowerCase();
    if (s === 'error' || s === 'warning') return s;
    return 'info'; // "info" or "note"
  }

  function findingsOf(doc) {
    return (doc.result && doc.result.findings) || [];
  }

  function countsOf(doc) {
    const c = (doc.result && doc.result.counts) || {};
    const fs = findingsOf(doc);
    const tally = (sev) => fs.filter((f) => severityOf(f) === sev).length;
    return {
      error: c.errors ?? tally('error'),
      warning: c.warnings ?? tally('warning'),
      info: c.infos ?? c.notes ?? c.info ?? tally('info'),
    };
  }

  function formatBytes(n) {
    if (n < 1024) return `${n} B`;
    if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
    return `${(n / 1024 / 1024).toFixed(1)} MB`;
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  // ---------------------------------------------------------------- status line

  const ops = new Set();
  let outcomes = [];
  let ticker = null;

  function setStatus(kind, text) {
    const s = $('#status');
    s.dataset.state = kind;
    s.textContent = text;
    s.title = text;
  }

  function beginOp(label) {
    if (ops.size === 0) outcomes = [];
    const op = { label, detail: '', start: Date.now() };
    ops.add(op);
    if (!ticker) ticker = setInterval(showBusy, 500);
    showBusy();
    return op;
  }

  function opDetail(op, detail) {
    op.detail = detail;
    showBusy();
  }

  function showBusy() {
    if (ops.size === 0) return;
    const ops_ = [...ops];
    const op = ops_[ops_.length - 1];
    const secs = Math.floor((Date.now() - op.start) / 1000);
    let text = op.label + (op.detail ? ` · ${op.detail}` : '') + `（${secs} 秒）`;
    if (ops.size > 1) text += ` · 另有 ${ops.size - 1} 项进行中`;
    setStatus('busy', text);
  }

  // Ends an operation with its outcome: "ready", "done" (a file was saved) or "error".
  // When the last one ends, an error of the period wins, else the last outcome shows.
  function endOp(op, kind, text) {
    ops.delete(op);
    outcomes.push({ kind, text });
    if (ops.size > 0) {
      showBusy();
      return;
    }
    clearInterval(ticker);
    ticker = null;
    const errors = outcomes.filter((o) => o.kind === 'error');
    const shown = errors.length ? errors[errors.length - 1] : outcomes[outcomes.length - 1];
    let text_ = shown.text;
    if (errors.length > 1) text_ += `（共 ${errors.length} 个错误）`;
    setStatus(shown.kind, text_);
  }

  // ---------------------------------------------------------------- HTTP

  // One XMLHttpRequest with the token; resolves with the finished xhr (any status).
  function send(method, url, body, responseType, hooks = {}) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, url);
      xhr.setRequestHeader('X-Jixiao-Token', TOKEN);
      xhr.responseType = responseType;
      if (hooks.upload) xhr.upload.onprogress = hooks.upload;
      if (hooks.sent) xhr.upload.onload = hooks.sent;
      if (hooks.download) xhr.onprogress = hooks.download;
      xhr.onload = () => resolve(xhr);
      xhr.onerror = () => reject(new Error('无法连接本机服务：jixiao serve 是否还在运行？'));
      xhr.onabort = () => reject(new Error('请求被中止'));
      xhr.send(body || null);
      if (hooks.sent && !body) hooks.sent();
    });
  }

  // Sends, waiting and retrying while the server says it is busy (429/503).
  async function sendPatiently(method, url, makeBody, responseType, hooks = {}, onWait) {
    for (let attempt = 0; ; attempt++) {
      const xhr = await send(method, url, makeBody(), responseType, hooks);
      if ((xhr.status === 429 || xhr.status === 503) && attempt < 60) {
        if (onWait) onWait();
        await sleep(1000);
        continue;
      }
      return xhr;
    }
  }

  // The one-line message of a failed response.
  async function errorOf(xhr) {
    let body = xhr.response;
    try {
      if (body instanceof Blob) body = await body.text();
    } catch (_) {
      body = '';
    }
    let parsed = null;
    if (typeof body === 'string' && body.trim().startsWith('{')) {
      try {
        parsed = JSON.parse(body);
      } catch (_) {
        parsed = null;
      }
    }
    if (parsed && parsed.error) return String(parsed.error);
    if (xhr.status === 403) {
      return '没有权限（403）：请用 jixiao serve 打印的完整地址（带 ?t=…）重新打开本页';
    }
    if (xhr.status === 413) return '文件太大（413），超过了本机服务允许的大小';
    const extra = typeof body === 'string' && body.trim() ? `：${body.trim().slice(0, 200)}` : '';
    return `服务器返回 ${xhr.status}${extra}`;
  }

  function filesForm(docs) {
    const form = new FormData();
    for (const doc of docs) {
      for (const f of doc.files) form.append('file', f, f.name);
    }
    if (state.template) form.append('template', state.template, state.template.name);
    return form;
  }

  // ---------------------------------------------------------------- documents

  // `<base>__<sheet>.csv` files with the same base are one workbook.
  function groupFiles(files) {
    const docs = [];
    const groups = new Map();
    for (const f of files) {
      const m = /^(.+?)__(.+)\.csv$/i.exec(f.name);
      if (m) {
        if (!groups.has(m[1])) {
          const doc = { name: null, base: m[1], files: [] };
          groups.set(m[1], doc);
          docs.push(doc);
        }
        groups.get(m[1]).files.push(f);
      } else {
        docs.push({ name: f.name, files: [f] });
      }
    }
    for (const doc of docs) {
      if (doc.name === null) {
        doc.name = doc.files.length > 1 ? `${doc.base}__*.csv` : doc.files[0].name;
      }
    }
    return docs;
  }

  function addFiles(fileList) {
    const files = [...fileList];
    if (!files.length) return;
    const added = [];
    for (const g of groupFiles(files)) {
      let doc = state.docs.find((d) => d.name === g.name);
      if (doc) {
        doc.files = g.files;
        doc.result = null;
        doc.error = null;
        doc.preview = null;
      } else {
        doc = {
          id: state.nextId++,
          name: g.name,
          files: g.files,
          result: null,
          error: null,
          card: null,
          sheetIndex: 0,
          preview: null,
        };
        state.docs.push(doc);
      }
      added.push(doc);
    }
    renderCards();
    readAll(added);
  }

  function removeDoc(doc) {
    state.docs = state.docs.filter((d) => d !== doc);
    if (doc.card) doc.card.remove();
    doc.removed = true;
    if (state.selected === doc) {
      state.selected = null;
      const next = state.docs.find((d) => d.result);
      if (next) select(next);
      else {
        renderSource();
        renderTarget();
      }
    }
    renderCards();
    updateButtons();
  }

  async function readAll(docs) {
    const queue = [...docs];
    for (const doc of queue) {
      doc.queued = true;
      renderCard(doc);
    }
    const worker = async () => {
      while (queue.length) {
        const doc = queue.shift();
        if (!doc.removed) await readDoc(doc);
      }
    };
    const workers = [];
    for (let i = 0; i < Math.min(READ_CONCURRENCY, queue.length); i++) workers.push(worker());
    await Promise.all(workers);
  }

  async function readDoc(doc) {
    doc.queued = false;
    doc.result = null;
    doc.error = null;
    doc.preview = null;
    doc.reading = { phase: 'upload', loaded: 0, total: doc.files.reduce((n, f) => n + f.size, 0) };
    renderCard(doc);
    const op = beginOp(`正在读取 ${doc.name}`);
    let timer = null;
    const startReading = () => {
      if (!doc.reading || doc.reading.phase === 'read') return;
      doc.reading.phase = 'read';
      doc.reading.start = Date.now();
      opDetail(op, '');
      updateProgress(doc);
      timer = setInterval(() => updateProgress(doc), 1000);
    };
    try {
      const xhr = await sendPatiently(
        'POST',
        '/api/read',
        () => filesForm([doc]),
        'text',
        {
          upload: (e) => {
            if (!doc.reading || doc.reading.phase !== 'upload') return;
            doc.reading.loaded = e.loaded;
            if (e.lengthComputable) doc.reading.total = e.total;
            updateProgress(doc);
            if (e.lengthComputable) opDetail(op, `上传 ${Math.round((100 * e.loaded) / e.total)}%`);
          },
          sent: startReading,
        },
        () => opDetail(op, '服务器繁忙，等待中'),
      );
      startReading();
      if (xhr.status === 200) {
        doc.result = JSON.parse(xhr.responseText);
        endOp(op, 'ready', `已读取 ${doc.name}`);
      } else {
        doc.error = await errorOf(xhr);
        endOp(op, 'error', named(doc, doc.error));
      }
    } catch (e) {
      doc.error = e.message || String(e);
      endOp(op, 'error', named(doc, doc.error));
    }
    clearInterval(timer);
    doc.reading = null;
    if (doc.removed) return;
    learnLayout(doc);
    renderCard(doc);
    if (!state.selected && doc.result) select(doc);
    else if (state.selected === doc) {
      renderSource();
      renderTarget();
    }
    updateButtons();
  }

  // The message with the document's name in front, unless the server put it there.
  function named(doc, message) {
    return doc.files.some((f) => message.startsWith(f.name)) ? message : `${doc.name}：${message}`;
  }

  // A read with the user template tells its id: offer it as a target.
  function learnLayout(doc) {
    const r = doc.result;
    if (!state.template || !state.layouts.length) return;
    if (!r || !r.layout || r.layout === 'json') return;
    if (state.layouts.some((l) => l.id === r.layout)) return;
    addTemplateOption(r.layout, false);
  }

  function addTemplateOption(id, choose) {
    const sel = $('#target');
    let opt = [...sel.options].find((o) => o.value === id);
    if (!opt) {
      opt = document.createElement('option');
      opt.value = id;
      opt.textContent = `${id}（自定义模板）`;
      opt.dataset.user = '1';
      sel.insertBefore(opt, sel.firstChild);
    }
    if (choose) sel.value = id;
  }

  function select(doc) {
    if (state.selected === doc) return;
    state.selected = doc;
    for (const d of state.docs) {
      if (d.card) d.card.classList.toggle('selected', d === doc);
    }
    renderSource();
    renderTarget();
    updateButtons();
  }

  // ---------------------------------------------------------------- cards

  function renderCards() {
    const box = $('#cards');
    for (const doc of state.docs) {
      if (!doc.card) {
        doc.card = document.createElement('div');
        doc.card.className = 'file-card';
        doc.card.dataset.file = doc.name;
        doc.card.dataset.id = String(doc.id);
        renderCard(doc);
      }
      box.appendChild(doc.card);
    }
    $('#no-files').hidden = state.docs.length > 0;
    $('#file-count').textContent = state.docs.length ? `（${state.docs.length} 个）` : '';
  }

  function renderCard(doc) {
    const card = doc.card;
    if (!card) return;
    card.classList.toggle('selected', state.selected === doc);
    let html = '<div class="card-head">';
    html += `<span class="fname">${esc(doc.name)}</span>`;
    html += '<button type="button" class="remove" title="移除此文件" aria-label="移除">×</button></div>';
    if (doc.files.length > 1) {
      html += `<div class="parts">${doc.files.map((f) => esc(f.name)).join('、')}</div>`;
    }
    if (doc.reading || doc.queued) {
      html += '<div class="progress"><div class="bar"></div></div><div class="phase"></div>';
      card.innerHTML = html;
      updateProgress(doc);
      return;
    }
    if (doc.error) {
      html += `<div class="error">${esc(doc.error)}</div>`;
      card.innerHTML = html;
      return;
    }
    const r = doc.result;
    if (!r) {
      card.innerHTML = html;
      return;
    }
    html += '<div class="layout-line">';
    if (r.layout && r.layout !== 'json') {
      html += `${esc(r.layout_name || r.layout)} <code>${esc(r.layout)}</code>`;
    } else {
      html += '标准数据（JSON）';
    }
    if (typeof r.confidence === 'number') {
      const pct = Math.round(r.confidence * 100);
      html += ` <span class="conf${pct < 80 ? ' low' : ''}" title="识别置信度">置信度 ${pct}%</span>`;
    }
    html += '</div>';
    const kind = r.kind === 'department' ? '部门表 · ' : '';
    html += `<div class="counts-line">${kind}项目 ${r.projects ?? 0} 个 / 指标 ${r.indicators ?? 0} 个</div>`;
    const warnings = r.warnings || [];
    if (warnings.length) {
      html += '<ul class="reader-warnings">';
      for (const w of warnings.slice(0, 20)) {
        html += `<li>${esc(typeof w === 'string' ? w : w.message || JSON.stringify(w))}</li>`;
      }
      if (warnings.length > 20) html += `<li>……另有 ${warnings.length - 20} 条</li>`;
      html += '</ul>';
    }
    const counts = countsOf(doc);
    const total = counts.error + counts.warning + counts.info;
    html += '<div class="badges">';
    if (total === 0) {
      html += '<span class="badge clean">检查通过，未发现问题</span>';
    } else {
      for (const [sev, label] of SEVERITIES) {
        html += `<span class="badge sev-${sev}${counts[sev] ? ' some' : ''}">${label} ${counts[sev]}</span>`;
      }
    }
    html += '</div>';
    const findings = findingsOf(doc);
    for (const [sev, label] of SEVERITIES) {
      const list = [];
      findings.forEach((f, i) => {
        if (severityOf(f) === sev) list.push([f, i]);
      });
      if (!list.length) continue;
      const open = sev !== 'info' || list.length <= 20 || counts.error + counts.warning === 0;
      html += `<details class="group sev-${sev}"${open ? ' open' : ''}><summary>${label}（${counts[sev]}）</summary>`;
      for (const [f, i] of list.slice(0, MAX_FINDINGS_SHOWN)) {
        const cellAttr = f.cell ? ` data-cell="${esc(f.cell)}"` : '';
        html += `<div class="finding sev-${sev}" data-index="${i}"${cellAttr} tabindex="0"`;
        html += f.cell ? ' title="点击查看单元格">' : '>';
        html += `<span class="code">${esc(f.code || '')}</span>`;
        if (f.cell) html += `<span class="cell">${esc(f.cell)}</span>`;
        html += `<span class="msg">${esc(f.message || '')}</span>`;
        if (f.project) html += `<span class="project">${esc(f.project)}</span>`;
        html += '</div>';
      }
      if (list.length > MAX_FINDINGS_SHOWN) {
        html += `<div class="more">……另有 ${list.length - MAX_FINDINGS_SHOWN} 条未列出</div>`;
      }
      html += '</details>';
    }
    card.innerHTML = html;
  }

  function updateProgress(doc) {
    const card = doc.card;
    if (!card) return;
    const bar = card.querySelector('.progress');
    const phase = card.querySelector('.phase');
    if (!bar || !phase) return;
    const r = doc.reading;
    if (!r) {
      bar.classList.add('indeterminate');
      phase.textContent = '排队等待…';
      return;
    }
    if (r.phase === 'upload') {
      bar.classList.remove('indeterminate');
      const pct = r.total ? Math.min(100, Math.round((100 * r.loaded) / r.total)) : 0;
      bar.firstChild.style.width = `${pct}%`;
      phase.textContent = `正在上传… ${pct}%（${formatBytes(r.loaded)} / ${formatBytes(r.total)}）`;
    } else {
      bar.classList.add('indeterminate');
      bar.firstChild.style.width = '';
      const secs = Math.floor((Date.now() - r.start) / 1000);
      phase.textContent = `正在读取… ${secs} 秒`;
    }
  }

  // ---------------------------------------------------------------- the file as read

  // A strip of sheet tabs; `pick(i)` shows sheet i. The active tab is scrolled into the strip.
  function sheetTabs(names, active, marks, pick) {
    const tabs = document.createElement('div');
    tabs.className = 'tabs';
    names.forEach((name, i) => {
      const b = document.createElement('button');
      b.type = 'button';
      b.className = 'tab' + (i === active ? ' active' : '');
      b.dataset.index = String(i);
      b.textContent = name;
      const n = marks ? marks[i] : 0;
      if (n) {
        const dot = document.createElement('span');
        dot.className = 'n';
        dot.title = `${n} 条检查结果`;
        dot.textContent = `●${n}`;
        b.appendChild(dot);
      }
      b.addEventListener('click', () => pick(i));
      tabs.appendChild(b);
    });
    requestAnimationFrame(() => {
      const tab = tabs.children[active];
      if (tab && tabs.scrollWidth > tabs.clientWidth) {
        tabs.scrollLeft = tab.offsetLeft - (tabs.clientWidth - tab.offsetWidth) / 2;
      }
    });
    return tabs;
  }

  function visibleSheets(doc) {
    const grid = doc && doc.result && doc.result.grid;
    return ((grid && grid.sheets) || []).filter((s) => !s.hidden);
  }

  function findingArea(f) {
    return f.at || parseCellRef(f.cell);
  }

  function renderSource() {
    const box = $('#source-preview');
    const doc = state.selected;
    $('#source-name').textContent = doc ? doc.name : '';
    box.innerHTML = '';
    if (!doc) {
      box.innerHTML = '<p class="muted placeholder">读取文件后，这里按原样显示表格；检查发现问题的单元格用红圈标出。</p>';
      return;
    }
    if (doc.error) {
      box.innerHTML = `<p class="error placeholder">${esc(doc.error)}</p>`;
      return;
    }
    if (!doc.result) {
      box.innerHTML = '<p class="muted placeholder">正在读取…</p>';
      return;
    }
    const sheets = visibleSheets(doc);
    if (!sheets.length) {
      box.innerHTML = '<p class="muted placeholder">标准数据（JSON）文件没有表格可预览。</p>';
      return;
    }
    if (doc.sheetIndex >= sheets.length) doc.sheetIndex = 0;
    const findings = findingsOf(doc);
    if (sheets.length > 1) {
      const marks = sheets.map(
        (s) =>
          findings.filter((f) => {
            const at = findingArea(f);
            return at && at.sheet === s.name;
          }).length,
      );
      const names = sheets.map((s) => s.name);
      box.appendChild(
        sheetTabs(names, doc.sheetIndex, marks, (i) => {
          doc.sheetIndex = i;
          renderSource();
        }),
      );
    }
    const sheet = sheets[doc.sheetIndex];
    const { html, shownRows } = gridTable(sheet, findings);
    if (sheet.truncated) {
      const note = document.createElement('p');
      note.className = 'truncated';
      note.textContent = `(只显示前 ${shownRows} 行)`;
      box.appendChild(note);
    }
    const scroller = document.createElement('div');
    scroller.className = 'scroller';
    scroller.innerHTML = html;
    box.appendChild(scroller);
  }

  const KEY = 1e5; // row * KEY + col: unique for any sheet a reader accepts

  function gridTable(sheet, findings) {
    const cells = new Map();
    let maxRow = -1;
    let maxCol = -1;
    for (const [r, c, t] of sheet.cells || []) {
      cells.set(r * KEY + c, t);
      if (r > maxRow) maxRow = r;
      if (c > maxCol) maxCol = c;
    }
    let rows = Math.max(sheet.rows || 0, maxRow + 1);
    if (sheet.truncated) rows = Math.min(sheet.rows || rows, maxRow + 1);
    let cols = Math.max(sheet.cols || 0, maxCol + 1);
    // Merges: the origin's spans, and every covered cell's origin.
    const spans = new Map();
    const origin = new Map();
    for (const m of sheet.merges || []) {
      const [r0, c0] = m;
      const r1 = Math.min(m[2], rows - 1);
      const c1 = m[3];
      if (r0 >= rows || (r1 === r0 && c1 === c0)) continue;
      if (c1 + 1 > cols) cols = c1 + 1;
      spans.set(r0 * KEY + c0, [r1 - r0 + 1, c1 - c0 + 1]);
      for (let r = r0; r <= r1; r++) {
        for (let c = c0; c <= c1; c++) {
          if (r !== r0 || c !== c0) origin.set(r * KEY + c, r0 * KEY + c0);
        }
      }
    }
    // Findings on this sheet, onto the cells (merge origins) their areas touch.
    const marks = new Map();
    for (const f of findings) {
      const at = findingArea(f);
      if (!at || at.sheet !== sheet.name) continue;
      const lastRow = Math.min(at.last_row ?? at.row, rows - 1);
      const lastCol = Math.min(at.last_col ?? at.col, cols - 1);
      let budget = 20000;
      for (let r = at.row; r <= lastRow && budget > 0; r++) {
        for (let c = at.col; c <= lastCol && budget > 0; c++, budget--) {
          const key = origin.get(r * KEY + c) ?? r * KEY + c;
          if (!marks.has(key)) marks.set(key, []);
          const list = marks.get(key);
          if (!list.includes(f)) list.push(f);
        }
      }
    }
    const sheetName = esc(sheet.name);
    const out = ['<table class="grid"><thead><tr><th class="corner"></th>'];
    for (let c = 0; c < cols; c++) out.push(`<th>${colName(c)}</th>`);
    out.push('</tr></thead><tbody>');
    for (let r = 0; r < rows; r++) {
      out.push(`<tr><th>${r + 1}</th>`);
      for (let c = 0; c < cols; c++) {
        const key = r * KEY + c;
        if (origin.has(key)) continue;
        const text = cells.get(key) ?? '';
        const span = spans.get(key);
        const classes = [];
        let attrs = ` data-cell="${sheetName}!${a1(r, c)}"`;
        if (span) {
          if (span[0] > 1) attrs += ` rowspan="${span[0]}"`;
          if (span[1] > 1) attrs += ` colspan="${span[1]}"`;
          if (text.length <= 24) classes.push('merged');
        }
        // As in a spreadsheet, text runs on over empty cells to its right (CSV has no
        // merges); otherwise it wraps within a column wide enough to read.
        const right = key + 1;
        const spills =
          !span && c + 1 < cols && !cells.get(right) && !origin.has(right) && !spans.has(right);
        if ((spills && text.length <= 40) || (text.length <= 8 && !text.includes('\n'))) {
          classes.push('spill');
        }
        else if (text.length > 60) classes.push('long');
        else if (text.length > 12) classes.push('mid');
        const fs = marks.get(key);
        if (fs) {
          let worst = 'info';
          for (const f of fs) {
            const s = severityOf(f);
            if (RANK[s] > RANK[worst]) worst = s;
          }
          classes.push('marked', `marked-${worst}`);
          const tip = fs.map((f) => `${f.code || ''} ${f.message || ''}`.trim()).join('\n');
          attrs += ` title="${esc(tip)}"`;
        }
        if (classes.length) attrs += ` class="${classes.join(' ')}"`;
        out.push(`<td${attrs}>${esc(text)}</td>`);
      }
      out.push('</tr>');
    }
    out.push('</tbody></table>');
    return { html: out.join(''), shownRows: rows };
  }

  // Clicking a finding: its sheet, its cell centred, a flash.
  function showFinding(doc, index) {
    const f = findingsOf(doc)[index];
    if (!f) return;
    if (state.selected !== doc) select(doc);
    for (const el of document.querySelectorAll('.finding.active')) el.classList.remove('active');
    const item = doc.card && doc.card.querySelector(`.finding[data-index="${index}"]`);
    if (item) item.classList.add('active');
    const at = findingArea(f);
    if (!at) return;
    const sheets = visibleSheets(doc);
    const i = sheets.findIndex((s) => s.name === at.sheet);
    if (i < 0) {
      setStatus('error', `找不到工作表「${at.sheet}」`);
      return;
    }
    if (doc.sheetIndex !== i) {
      doc.sheetIndex = i;
      renderSource();
    }
    const box = $('#source-preview');
    let td = null;
    // The first cell of the area that is drawn (a covered cell belongs to its merge's td).
    for (const cell of box.querySelectorAll('td.marked')) {
      const ref = parseCellRef(cell.dataset.cell);
      if (!ref) continue;
      const rs = cell.rowSpan || 1;
      const cs = cell.colSpan || 1;
      if (
        ref.row <= at.last_row &&
        ref.row + rs - 1 >= at.row &&
        ref.col <= at.last_col &&
        ref.col + cs - 1 >= at.col
      ) {
        td = cell;
        break;
      }
    }
    if (!td) {
      setStatus('error', `单元格 ${f.cell} 不在预览范围内`);
      return;
    }
    // Centred in the sheet's own scroll box, and that box in view below the toolbar.
    const scroller = td.closest('.scroller');
    const t = td.getBoundingClientRect();
    const b = scroller.getBoundingClientRect();
    scroller.scrollTop += t.top - b.top - (scroller.clientHeight - t.height) / 2;
    scroller.scrollLeft += t.left - b.left - (scroller.clientWidth - t.width) / 2;
    const section = $('#source-section');
    section.style.scrollMarginTop = `${$('.toolbar').offsetHeight}px`;
    const s = section.getBoundingClientRect();
    const main = $('.main').getBoundingClientRect();
    if (s.top < main.top + $('.toolbar').offsetHeight || scroller.getBoundingClientRect().bottom > main.bottom) {
      section.scrollIntoView({ block: 'start' });
    }
    td.classList.remove('flash');
    void td.offsetWidth; // restart the animation
    td.classList.add('flash');
  }

  // ---------------------------------------------------------------- the target form

  function rollForwardYear() {
    const v = $('#roll-forward').value.trim();
    if (!v) return null;
    const y = Number(v);
    if (!Number.isInteger(y) || y < 1900 || y > 2200) return NaN;
    return y;
  }

  function previewKey() {
    return `${$('#target').value}|${rollForwardYear() ?? ''}`;
  }

  function renderTarget() {
    const box = $('#target-preview');
    const report = $('#loss-report');
    const doc = state.selected;
    const p = doc && doc.preview;
    $('#target-name').textContent = '';
    if (!p || p.key !== previewKey()) {
      box.innerHTML = '<p class="muted placeholder">选择目标格式后点“预览目标表”。</p>';
      report.innerHTML = '';
      return;
    }
    if (p.error) {
      box.innerHTML = `<p class="error placeholder">${esc(p.error)}</p>`;
      report.innerHTML = '';
      return;
    }
    const data = p.data;
    const t = state.layouts.find((l) => l.id === data.target);
    $('#target-name').textContent = t ? `${t.name}（${t.id}）` : data.target || '';
    box.innerHTML = '';
    const sheets = (data.form && data.form.sheets) || [];
    if (p.sheetIndex >= sheets.length) p.sheetIndex = 0;
    if (sheets.length > 1) {
      const names = sheets.map((s, i) => s.name || `第 ${i + 1} 页`);
      box.appendChild(
        sheetTabs(names, p.sheetIndex, null, (i) => {
          p.sheetIndex = i;
          renderTarget();
        }),
      );
    }
    const sheet = sheets[p.sheetIndex];
    if (sheet) {
      if (sheet.truncated) {
        const note = document.createElement('p');
        note.className = 'truncated';
        note.textContent = `(只显示前 ${sheet.rows} 行)`;
        box.appendChild(note);
      }
      const scroller = document.createElement('div');
      scroller.className = 'scroller';
      scroller.appendChild(formTable(sheet));
      box.appendChild(scroller);
    }
    report.innerHTML = lossReport(data);
    fitTarget();
  }

  // The form beside its report when both fit (the form shrunk to at most 85 %); else the
  // report above the form, which may shrink to 70 % before it scrolls sideways.
  function fitTarget() {
    const row = $('.target-row');
    const table = $('#target-preview table.form');
    row.classList.remove('stacked');
    if (!table) return;
    table.style.zoom = '';
    const natural = Number(table.dataset.width) + 30; // margins, borders, a scrollbar
    const beside = row.clientWidth - $('#loss-report').offsetWidth - 14;
    let scale;
    if (natural * 0.85 <= beside) {
      scale = Math.min(1, beside / natural);
    } else {
      row.classList.add('stacked');
      scale = Math.max(0.7, Math.min(1, row.clientWidth / natural));
    }
    if (scale < 1) table.style.zoom = scale.toFixed(3);
  }

  function formTable(sheet) {
    const cols = sheet.columns || 1;
    const cells = [...(sheet.cells || [])].sort((a, b) => a.row - b.row || a.col - b.col);
    const rows = Math.max(sheet.rows || 0, ...cells.map((c) => c.row + (c.rows || 1)));
    const at = new Map();
    const covered = new Set();
    for (const cell of cells) {
      at.set(cell.row * KEY + cell.col, cell);
      for (let r = cell.row; r < cell.row + (cell.rows || 1); r++) {
        for (let c = cell.col; c < cell.col + (cell.cols || 1); c++) {
          if (r !== cell.row || c !== cell.col) covered.add(r * KEY + c);
        }
      }
    }
    const out = ['<colgroup>'];
    for (let c = 0; c < cols; c++) out.push('<col>');
    out.push('</colgroup><tbody>');
    for (let r = 0; r < rows; r++) {
      out.push('<tr>');
      for (let c = 0; c < cols; c++) {
        const key = r * KEY + c;
        if (covered.has(key)) continue;
        const cell = at.get(key);
        if (!cell) {
          out.push('<td class="gap"></td>');
          continue;
        }
        let attrs = '';
        if ((cell.rows || 1) > 1) attrs += ` rowspan="${cell.rows}"`;
        if ((cell.cols || 1) > 1) attrs += ` colspan="${Math.min(cell.cols, cols - c)}"`;
        const style = String(cell.style || 'value').replace(/[^a-z_]/g, '');
        out.push(`<td class="s-${style}"${attrs}>${esc(cell.text ?? '')}</td>`);
      }
      out.push('</tr>');
    }
    out.push('</tbody>');
    const table = document.createElement('table');
    table.className = 'form';
    table.innerHTML = out.join('');
    // Widths in Excel character units (≈ 7 px each plus padding); CSP allows setting
    // them from script.
    const widths = sheet.widths || [];
    let total = 0;
    table.querySelectorAll('col').forEach((col, i) => {
      const w = Number(widths[i]);
      const px = w > 0 ? Math.round(w * 7 + 5) : 64;
      col.style.width = `${px}px`;
      total += px;
    });
    table.style.width = `${total}px`;
    table.dataset.width = String(total);
    return table;
  }

  function where(item) {
    return [item.project, item.indicator].filter(Boolean).join(' / ');
  }

  function reportBlock(kind, label, hint, items, line) {
    const n = items.length;
    let html = `<details class="report-block ${kind}"${n && n <= 40 ? ' open' : ''}>`;
    html += `<summary title="${esc(hint)}">${label}<span class="count${n ? ' some' : ''}">${n}</span></summary>`;
    if (n) {
      html += '<ul>';
      for (const item of items.slice(0, 500)) html += `<li>${line(item)}</li>`;
      if (n > 500) html += `<li>……另有 ${n - 500} 项</li>`;
      html += '</ul>';
    }
    return html + '</details>';
  }

  function lossReport(data) {
    const r = data.report || {};
    const dropped = r.dropped || [];
    const inferred = r.inferred || [];
    const blank = r.blank || [];
    const rounded = r.rounded || [];
    const changes = data.changes || [];
    let html = `<p class="report-title">转换报告：${esc(r.source || '?')} → ${esc(r.target || data.target || '?')}</p>`;
    if (!dropped.length && !inferred.length && !blank.length && !rounded.length) {
      html += '<p class="report-ok">目标表容纳了全部内容：没有丢弃、推断或留空。</p>';
    }
    const at = (item) => (where(item) ? `${esc(where(item))} · ` : '');
    html += reportBlock(
      'dropped',
      '丢弃',
      '目标表没有位置的内容（xlsx 内嵌的数据里仍保留）',
      dropped,
      (d) => `${at(d)}<code>${esc(d.field)}</code>：${esc(d.value)}`,
    );
    html += reportBlock(
      'inferred',
      '推断',
      '目标表必须填写、由程序推断的内容，请核对',
      inferred,
      (d) => {
        const why = d.reason || d.rule;
        return `${at(d)}<code>${esc(d.field)}</code> = ${esc(d.value)}${why ? ` <span class="why">（${esc(why)}）</span>` : ''}`;
      },
    );
    html += reportBlock(
      'blank',
      '留空',
      '目标表有这一栏，但原表没有内容',
      blank,
      (d) => `${esc(d.project || '')} · <code>${esc(d.field)}</code>${d.indicators ? `（${d.indicators} 个指标）` : ''}`,
    );
    if (rounded.length) {
      html += reportBlock(
        'rounded',
        '舍入',
        '换算金额单位后，表中显示为舍入后的数字（单元格保存精确值）',
        rounded,
        (d) => `<code>${esc(d.field)}</code>：${esc(d.value)} → ${esc(d.shown)} ${esc(d.unit || '')}`,
      );
    }
    if (changes.length) {
      html += reportBlock('changes', '滚动年度的改动', '滚动到新年度时改动或需要人工核对的内容', changes, (d) =>
        d.note
          ? `${at(d)}<code>${esc(d.field)}</code>：${esc(d.note)}`
          : `${at(d)}<code>${esc(d.field)}</code>：${esc(d.from)} → ${esc(d.to)}`,
      );
    }
    return html;
  }

  async function preview() {
    const doc = state.selected;
    if (!doc || !doc.result) return;
    const to = $('#target').value;
    const year = rollForwardYear();
    if (Number.isNaN(year)) {
      setStatus('error', '滚动年度应是四位年份，例如 2025');
      return;
    }
    let url = `/api/preview?to=${encodeURIComponent(to)}`;
    if (year) url += `&roll_forward=${year}`;
    const key = previewKey();
    const op = beginOp(`正在生成目标表预览（${to}）`);
    try {
      const xhr = await sendPatiently('POST', url, () => filesForm([doc]), 'text', {}, () =>
        opDetail(op, '服务器繁忙，等待中'),
      );
      if (xhr.status === 200) {
        doc.preview = { key, data: JSON.parse(xhr.responseText), sheetIndex: 0 };
        endOp(op, 'ready', `目标表预览：${doc.name} → ${to}`);
      } else {
        const error = await errorOf(xhr);
        doc.preview = { key, error };
        endOp(op, 'error', `预览失败：${error}`);
      }
    } catch (e) {
      doc.preview = { key, error: e.message };
      endOp(op, 'error', e.message);
    }
    if (state.selected === doc) {
      renderTarget();
      // Below the sticky toolbar, not under it.
      const section = $('#target-section');
      section.style.scrollMarginTop = `${$('.toolbar').offsetHeight}px`;
      section.scrollIntoView({ block: 'start' });
    }
  }

  // ---------------------------------------------------------------- downloads

  function fileNameOf(xhr, fallback) {
    const cd = xhr.getResponseHeader('Content-Disposition') || '';
    let m = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(cd);
    if (m) {
      try {
        return decodeURIComponent(m[1].trim().replace(/^"|"$/g, ''));
      } catch (_) {
        /* fall through */
      }
    }
    m = /filename\s*=\s*"([^"]+)"/.exec(cd) || /filename\s*=\s*([^;]+)/.exec(cd);
    if (m) return m[1].trim();
    return fallback;
  }

  function saveBlob(blob, name) {
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.hidden = true;
    document.body.appendChild(a);
    a.click();
    a.remove();
    // Revoking at once can cancel the download in some browsers.
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  }

  async function download(all) {
    const docs = all ? state.docs.slice() : state.selected ? [state.selected] : [];
    if (!docs.length) return;
    const to = $('#target').value;
    const format = $('#format').value;
    const year = rollForwardYear();
    if (Number.isNaN(year)) {
      setStatus('error', '滚动年度应是四位年份，例如 2025');
      return;
    }
    const params = new URLSearchParams();
    if (to) params.set('to', to);
    params.set('format', format);
    if (format === 'csv') params.set('encoding', $('#encoding').value);
    if (year) params.set('roll_forward', String(year));
    const what = all ? `${docs.length} 个文件` : docs[0].name;
    const op = beginOp(`正在转换 ${what} → ${format === 'json' ? 'JSON' : `${to} ${format}`}`);
    try {
      const xhr = await sendPatiently(
        'POST',
        `/api/convert?${params}`,
        () => filesForm(docs),
        'blob',
        {
          upload: (e) => {
            if (e.lengthComputable) opDetail(op, `上传 ${Math.round((100 * e.loaded) / e.total)}%`);
          },
          sent: () => opDetail(op, '正在转换'),
          download: (e) => {
            if (e.lengthComputable && e.total) {
              opDetail(op, `下载 ${Math.round((100 * e.loaded) / e.total)}%`);
            } else {
              opDetail(op, `下载 ${formatBytes(e.loaded)}`);
            }
          },
        },
        () => opDetail(op, '服务器繁忙，等待中'),
      );
      if (xhr.status !== 200) {
        endOp(op, 'error', `转换失败：${await errorOf(xhr)}`);
        return;
      }
      const stem = docs[0].name.replace(/\.[^.]*$/, '').replace(/__\*$/, '');
      const fallback = docs.length > 1 ? `jixiao-${to}.zip` : `${stem}.${format}`;
      const name = fileNameOf(xhr, fallback);
      saveBlob(xhr.response, name);
      endOp(op, 'done', `已保存 ${name}（${formatBytes(xhr.response.size)}）`);
    } catch (e) {
      endOp(op, 'error', e.message || String(e));
    }
  }

  // ---------------------------------------------------------------- controls

  function updateButtons() {
    const doc = state.selected;
    const ready = !!(doc && doc.result);
    const hasTarget = !!$('#target').value;
    $('#preview-btn').disabled = !ready || !hasTarget;
    $('#download-btn').disabled = !ready || (!hasTarget && $('#format').value !== 'json');
    $('#download-all-btn').disabled = state.docs.length < 2;
  }

  async function loadLayouts() {
    try {
      const xhr = await send('GET', '/api/layouts', null, 'text');
      if (xhr.status !== 200) {
        setStatus('error', await errorOf(xhr));
        return;
      }
      state.layouts = JSON.parse(xhr.responseText).layouts || [];
      const sel = $('#target');
      const keep = [...sel.options].filter((o) => o.dataset.user);
      sel.innerHTML = '';
      for (const o of keep) sel.appendChild(o);
      for (const l of state.layouts) {
        const opt = document.createElement('option');
        opt.value = l.id;
        opt.textContent = `${l.name}（${l.id}）`;
        opt.title = [l.region, l.kind === 'department' ? '部门整体' : l.kind === 'project' ? '项目' : l.kind]
          .filter(Boolean)
          .join(' · ');
        sel.appendChild(opt);
      }
      if (state.templateId) sel.value = state.templateId;
      else if (state.layouts.some((l) => l.id === 'national')) sel.value = 'national';
      updateButtons();
    } catch (e) {
      setStatus('error', e.message);
    }
  }

  async function setTemplate(file) {
    state.template = file;
    state.templateId = null;
    const sel = $('#target');
    const wasUser = sel.selectedOptions.length > 0 && !!sel.selectedOptions[0].dataset.user;
    for (const opt of [...sel.options]) {
      if (opt.dataset.user) opt.remove();
    }
    if (wasUser && state.layouts.some((l) => l.id === 'national')) sel.value = 'national';
    if (file) {
      try {
        const text = await file.text();
        const m = /^\s*id\s*=\s*["']([^"']+)["']/m.exec(text);
        if (m) {
          state.templateId = m[1];
          addTemplateOption(m[1], true);
        }
      } catch (_) {
        /* the server will say what is wrong with it */
      }
    }
    $('#template-clear').hidden = !file;
    $('#template-name').textContent = file
      ? file.name + (state.templateId ? `（${state.templateId}）` : '')
      : '';
    updateButtons();
    // The template competes in detection: read everything again.
    if (state.docs.length) readAll(state.docs.slice());
  }

  function wire() {
    const filesInput = $('#files');
    filesInput.addEventListener('change', () => {
      addFiles(filesInput.files);
      filesInput.value = '';
    });
    const templateInput = $('#template');
    templateInput.addEventListener('change', () => {
      setTemplate(templateInput.files[0] || null);
    });
    $('#template-clear').addEventListener('click', () => {
      templateInput.value = '';
      setTemplate(null);
    });

    const zone = $('#drop-zone');
    let depth = 0;
    zone.addEventListener('dragenter', (e) => {
      e.preventDefault();
      depth++;
      zone.classList.add('dragover');
    });
    zone.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (!depth) zone.classList.remove('dragover');
    });
    // Dropping anywhere on the page picks the files; the browser must not open them.
    document.addEventListener('dragover', (e) => e.preventDefault());
    document.addEventListener('drop', (e) => {
      e.preventDefault();
      depth = 0;
      zone.classList.remove('dragover');
      const files = [...((e.dataTransfer && e.dataTransfer.files) || [])];
      const toml = files.filter((f) => /\.toml$/i.test(f.name));
      if (toml.length) setTemplate(toml[0]);
      addFiles(files.filter((f) => !/\.toml$/i.test(f.name)));
    });

    $('#cards').addEventListener('click', (e) => {
      const card = e.target.closest('.file-card');
      if (!card) return;
      const doc = state.docs.find((d) => String(d.id) === card.dataset.id);
      if (!doc) return;
      if (e.target.closest('.remove')) {
        removeDoc(doc);
        return;
      }
      const finding = e.target.closest('.finding');
      if (finding && finding.dataset.cell) {
        showFinding(doc, Number(finding.dataset.index));
        return;
      }
      if (e.target.closest('summary')) return;
      select(doc);
    });
    $('#cards').addEventListener('keydown', (e) => {
      const finding = e.target.closest('.finding');
      if (!finding || (e.key !== 'Enter' && e.key !== ' ')) return;
      e.preventDefault();
      finding.click();
    });

    $('#format').addEventListener('change', () => {
      $('#encoding').disabled = $('#format').value !== 'csv';
      updateButtons();
    });
    $('#target').addEventListener('change', () => {
      renderTarget();
      updateButtons();
    });
    $('#roll-forward').addEventListener('change', renderTarget);
    window.addEventListener('resize', fitTarget);
    $('#preview-btn').addEventListener('click', preview);
    $('#download-btn').addEventListener('click', () => download(false));
    $('#download-all-btn').addEventListener('click', () => download(true));
  }

  wire();
  renderCards();
  loadLayouts();
})();
