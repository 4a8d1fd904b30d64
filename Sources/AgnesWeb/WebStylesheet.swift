// The web UI's one stylesheet, served at /static/agnes.css (no external assets, readable on a phone).
public enum WebStylesheet {
    public static let css = """
        :root{--ink:#1d2433;--muted:#5b6472;--line:#dde1e8;--bg:#f6f7f9;--card:#fff;--accent:#2456d6;--ok:#17803d;--warn:#a15c00;--bad:#b3261e}
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--ink);background:var(--bg)}
        a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
        header{background:var(--ink);color:#fff;padding:.6rem 1rem;display:flex;flex-wrap:wrap;gap:.4rem 1.2rem;align-items:center}
        header a{color:#cfd8ea}header a.current{color:#fff;font-weight:600}header .brand{color:#fff;font-weight:700;margin-right:.6rem}
        header .who{margin-left:auto;display:flex;gap:.6rem;align-items:center;color:#cfd8ea;font-size:.9rem}
        header form{margin:0}header button{background:none;border:1px solid #5b6472;color:#cfd8ea;padding:.15rem .6rem;border-radius:4px;cursor:pointer}
        main{max-width:72rem;margin:0 auto;padding:1rem}
        h1{font-size:1.5rem;margin:.4rem 0 1rem}h2{font-size:1.15rem;margin:1.6rem 0 .6rem}
        .card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:1rem;margin-bottom:1rem}
        table{width:100%;border-collapse:collapse;background:var(--card);border:1px solid var(--line);border-radius:8px;overflow:hidden}
        th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
        th{background:#eef1f5;font-size:.85rem;color:var(--muted);font-weight:600}
        td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
        .scroll{overflow-x:auto}
        .badge{display:inline-block;padding:0 .45rem;border-radius:999px;font-size:.78rem;border:1px solid var(--line);background:#eef1f5;color:var(--muted)}
        .badge.fresh,.badge.approved,.badge.ok,.badge.active{background:#e6f4ea;color:var(--ok);border-color:#b7dfc3}
        .badge.stale,.badge.proposed,.badge.running{background:#fff4e0;color:var(--warn);border-color:#f0d3a0}
        .badge.error,.badge.rejected,.badge.inactive,.badge.never_fetched{background:#fdecea;color:var(--bad);border-color:#f3c0bb}
        .badge.mandatory{background:#e8eefc;color:var(--accent);border-color:#bccbf3}
        .muted{color:var(--muted)}.small{font-size:.85rem}
        form.inline{display:inline}
        label{display:block;font-size:.85rem;color:var(--muted);margin:.5rem 0 .2rem}
        input,select,textarea{font:inherit;padding:.4rem .5rem;border:1px solid var(--line);border-radius:6px;width:100%;background:#fff}
        textarea{min-height:6rem}
        button,.button{font:inherit;background:var(--accent);color:#fff;border:0;border-radius:6px;padding:.4rem .9rem;cursor:pointer;display:inline-block}
        button.secondary{background:#eef1f5;color:var(--ink);border:1px solid var(--line)}button.danger{background:var(--bad)}
        .row{display:flex;flex-wrap:wrap;gap:.6rem;align-items:end}.row>*{flex:1 1 12rem}.row>button{flex:0 0 auto}
        .flash{padding:.6rem .8rem;border-radius:6px;margin-bottom:1rem}.flash.notice{background:#e6f4ea;color:var(--ok)}.flash.error{background:#fdecea;color:var(--bad)}
        pre,code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.85rem}
        pre{background:#0f1522;color:#e6ebf5;padding:.8rem;border-radius:6px;overflow-x:auto;white-space:pre-wrap}
        .secret{font-family:ui-monospace,monospace;word-break:break-all;background:#fff4e0;padding:.6rem;border-radius:6px}
        .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr));gap:1rem}
        .votes{white-space:nowrap}.votes button{padding:.1rem .5rem}
        @media (max-width:40rem){th.optional,td.optional{display:none}header .who{margin-left:0}}
        """
}
