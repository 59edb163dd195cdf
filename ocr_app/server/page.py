"""The page at `/`: drop, pick or paste an image and read the text. Inline CSS/JS, no CDN,
because the app is offline and the server's CSP allows nothing external."""

PAGE_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>OCR Desk</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 900px; margin: 2em auto; padding: 0 1em; color: #222; }
  h1 { font-size: 1.4em; margin-bottom: .2em; }
  #drop { border: 2px dashed #8a9; border-radius: 8px; padding: 2.5em 1em; text-align: center;
          cursor: pointer; background: #f7faf8; }
  #drop.over { background: #e3f2e8; border-color: #396; }
  #row { display: flex; gap: 1em; margin-top: 1em; flex-wrap: wrap; }
  #preview { max-width: 100%; max-height: 360px; border: 1px solid #ddd; display: none; }
  textarea { width: 100%; min-height: 14em; font: 14px/1.5 monospace; box-sizing: border-box; }
  #status { color: #555; margin: .5em 0; min-height: 1.5em; }
  #status.err { color: #b00; }
  label { font-size: .9em; color: #555; }
  input[type=password] { width: 16em; }
</style>
</head>
<body>
<h1>OCR Desk</h1>
<p>Drop an image or PDF here, click to pick one, or paste from the clipboard. Nothing leaves this machine.</p>
<div id="drop" tabindex="0">Drop / click / paste</div>
<input id="file" type="file" accept="image/*,application/pdf" hidden>
<p><label>Token (if the server was started with --token):
  <input id="token" type="password" autocomplete="off"></label></p>
<div id="status"></div>
<div id="row"><img id="preview" alt="preview"></div>
<textarea id="out" readonly placeholder="Recognised text appears here"></textarea>
<script>
(function () {
  var drop = document.getElementById('drop'), picker = document.getElementById('file');
  var out = document.getElementById('out'), status = document.getElementById('status');
  var token = document.getElementById('token'), preview = document.getElementById('preview');
  token.value = localStorage.getItem('ocrdesk-token') || '';
  token.addEventListener('change', function () { localStorage.setItem('ocrdesk-token', token.value); });
  function say(msg, bad) { status.textContent = msg; status.className = bad ? 'err' : ''; }
  function send(file) {
    if (!file) return;
    if (file.type.indexOf('image/') === 0) { preview.src = URL.createObjectURL(file); preview.style.display = 'block'; }
    else { preview.style.display = 'none'; }
    say('Recognising ' + file.name + ' …'); out.value = '';
    var headers = {'Content-Type': file.type || 'application/octet-stream'};
    if (token.value) headers['Authorization'] = 'Bearer ' + token.value;
    fetch('/ocr', {method: 'POST', headers: headers, body: file})
      .then(function (r) { return r.json().then(function (j) { return [r.status, j]; }); })
      .then(function (p) {
        var j = p[1];
        if (!j.success) { say('Error ' + p[0] + ': ' + j.message, true); return; }
        out.value = j.full_text !== undefined ? j.full_text : j.text.join('\\n');
        say(j.lines.length + ' lines, ' + j.time_cost_ms + ' ms' + (j.cached ? ' (cached)' : ''));
      })
      .catch(function (e) { say('Request failed: ' + e, true); });
  }
  drop.addEventListener('click', function () { picker.click(); });
  drop.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') picker.click(); });
  picker.addEventListener('change', function () { send(picker.files[0]); picker.value = ''; });
  drop.addEventListener('dragover', function (e) { e.preventDefault(); drop.className = 'over'; });
  drop.addEventListener('dragleave', function () { drop.className = ''; });
  drop.addEventListener('drop', function (e) {
    e.preventDefault(); drop.className = '';
    if (e.dataTransfer.files.length) send(e.dataTransfer.files[0]);
  });
  document.addEventListener('paste', function (e) {
    var items = (e.clipboardData || {}).items || [];
    for (var i = 0; i < items.length; i++) {
      if (items[i].kind === 'file') { send(items[i].getAsFile()); break; }
    }
  });
})();
</script>
</body>
</html>
"""
