"""Content errors: reported like a compiler, all at once, exit 1, output/ untouched."""

from __future__ import annotations

import textwrap

import pytest

from conftest import REPO, run_yunzhao, tree_digest

BAD_PROJECT = """
    catalogue:
      title: 2024年项目
    projects:
      - id: alpha
        title: 阿尔法项目
        sector: new-materials
        investment: {investment}
        status: seeking
"""


def build(root):
    return run_yunzhao("build", "--site", str(root), cwd=REPO)


@pytest.fixture
def built(site):
    """A fixture site that built once, so a later failing build must leave output/ as it was."""
    def make(files):
        root = site()
        assert build(root).returncode == 0
        before = tree_digest(root / "output")
        for rel, text in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                import textwrap
                path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        result = build(root)
        assert result.returncode == 1, result.stdout + result.stderr
        assert "Traceback" not in result.stderr
        assert tree_digest(root / "output") == before, "a failed build changed output/"
        return result.stderr
    return make


CASES = [
    ("unreadable amount", {"content/projects/2024.yaml": BAD_PROJECT.format(investment="五个亿")},
     'content/projects/2024.yaml:7: investment: cannot read "五个亿"; write e.g. 5亿元 or 5000万元'),
    ("tab indentation", {"content/projects/2024.yaml": "catalogue:\n  title: x\nprojects:\n\t- id: a\n"},
     "content/projects/2024.yaml:4: indented with a tab"),
    ("misspelt field", {"content/projects/2024.yaml": BAD_PROJECT.format(investment="5亿元")
                        .replace("status:", "statsu:")},
     'content/projects/2024.yaml:8: statsu: unknown field in a project; did you mean "status"?'),
    ("unknown sector", {"content/projects/2024.yaml": BAD_PROJECT.format(investment="5亿元")
                        .replace("new-materials", "new-material")},
     'content/projects/2024.yaml:6: sector: no sector has the id "new-material"; did you mean "new-materials"?'),
    ("status vocabulary", {"content/projects/2024.yaml": BAD_PROJECT.format(investment="5亿元")
                           .replace("status: seeking", "status: open")},
     'content/projects/2024.yaml:8: status: "open" is not accepted; write one of: seeking'),
    ("unsafe id", {"content/projects/2024.yaml": BAD_PROJECT.format(investment="5亿元")
                   .replace("id: alpha", "id: ../../x")},
     'content/projects/2024.yaml:4: id: "../../x" cannot be an id: it would point outside its folder'),
    ("non-ascii id", {"content/projects/2024.yaml": BAD_PROJECT.format(investment="5亿元")
                      .replace("id: alpha", "id: 阿尔法")},
     "non-ASCII characters break when a link is pasted into WeChat"),
    ("missing required", {"content/projects/2024.yaml": BAD_PROJECT.format(investment="5亿元")
                          .replace("        sector: new-materials\n", "")},
     "content/projects/2024.yaml:4: sector: missing; a project needs a sector"),
    ("not utf-8", {"content/projects/2024.yaml": textwrap.dedent(BAD_PROJECT.format(investment="5亿元"))
                .lstrip().encode("gbk")},
     "content/projects/2024.yaml:2: this file is not UTF-8 text"),
    ("empty file", {"content/projects/2024.yaml": "\n"},
     "content/projects/2024.yaml: this file is empty"),
    ("javascript link", {"content/parks/west.md": "---\ntitle: 西区\n---\n\n[点击](javascript:alert(1))\n"},
     'content/parks/west.md:5: the link "javascript:alert(1)" is refused'),
    ("duplicate id across files", {"content/projects/2025.yaml": "catalogue:\n  title: x\nprojects:\n"
                                   "  - id: alpha\n    title: x\n    sector: logistics\n    investment: 1亿元\n"},
     'content/projects/2025.yaml:4: id: the id "alpha" is already used by a project at content/projects/2024.yaml:5'),
    ("unquoted comma in a text", {"content/data/staff.yaml": """
        - id: wang
          name: {zh: 王明, en: Wang Ming}
          role: {zh: 招商部, en: Investment Department, Xipeng Park}
    """},
     'content/data/staff.yaml:3: role: the text of en stops at a comma and "Xipeng Park" is read as a '
     'language; put the text in quotes: en: "Investment Department, Xipeng Park"'),
    ("alias bomb", {"content/data/sectors.yaml": "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                    "g: [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"},
     "expands to too many values"),
]


@pytest.mark.parametrize("name,files,expected", CASES, ids=[c[0] for c in CASES])
def test_content_error_is_reported_and_output_untouched(built, name, files, expected):
    stderr = built(files)
    assert expected in stderr, stderr


def test_all_errors_reported_together(site):
    root = site({"content/projects/2024.yaml": BAD_PROJECT.format(investment="五个亿")
                 .replace("new-materials", "nope").replace("status: seeking", "status: open")})
    result = build(root)
    assert result.returncode == 1
    lines = [l for l in result.stderr.splitlines() if l.startswith("content/")]
    assert len(lines) == 3, result.stderr
    assert "3 errors" in result.stderr


def test_bom_and_crlf_are_accepted_quietly(site):
    text = "\ufeff" + BAD_PROJECT.format(investment="5亿元").replace("\n", "\r\n")
    import textwrap
    root = site({"content/projects/2024.yaml": textwrap.dedent(text.replace("\ufeff", "")).replace("\r\n", "\n")})
    (root / "content/projects/2024.yaml").write_bytes(
        b"\xef\xbb\xbf" + (root / "content/projects/2024.yaml").read_bytes().replace(b"\n", b"\r\n"))
    result = build(root)
    assert result.returncode == 0, result.stderr


def test_refuses_to_replace_a_folder_it_did_not_create(site, tmp_path):
    root = site()
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.docx").write_text("keep me")
    result = run_yunzhao("build", "--site", str(root), "--out", str(precious), cwd=REPO)
    assert result.returncode == 2 and "was not written by yunzhao" in result.stderr
    assert (precious / "thesis.docx").read_text() == "keep me"
    for dangerous in ("/", str(__import__("pathlib").Path.home())):
        result = run_yunzhao("build", "--site", str(root), "--out", dangerous, cwd=REPO)
        assert result.returncode == 2 and "refusing" in result.stderr


def test_cli_usage_errors_are_one_line(tmp_path):
    result = run_yunzhao("build", "--site", str(tmp_path / "nowhere"), cwd=REPO)
    assert result.returncode == 2 and "no folder" in result.stderr and "Traceback" not in result.stderr


SITE_YAML_WITH_OWN_THEME = """
    title: {zh: 测试招商局, en: Test Investment Bureau}
    languages: [zh, en, zh-Hant]
    base_url: https://invest.example.gov.cn/test/
    contact: wang
    theme: mine
"""

THEME_CASES = [
    ("unclosed bracket in theme.yaml", {"themes/mine/theme.yaml": "extends: [default\n"},
     'themes/mine/theme.yaml:1: the "[" opened on this line is not closed'),
    ("theme.yaml not a mapping", {"themes/mine/theme.yaml": "- default\n"},
     "themes/mine/theme.yaml:1: this file must hold names and values"),
    ("extends not a name", {"themes/mine/theme.yaml": "extends: 5\n"},
     "themes/mine/theme.yaml:1: extends: write the name of one theme"),
    ("broken strings file", {"themes/mine/theme.yaml": "extends: default\n",
                             "themes/mine/strings/en.yaml": 'nav: {home: "Home"\n'},
     'themes/mine/strings/en.yaml:1: the "{" opened on this line is not closed'),
    ("strings not utf-8", {"themes/mine/theme.yaml": "extends: default\n",
                           "themes/mine/strings/en.yaml": "nav: 首页\n".encode("gbk")},
     "themes/mine/strings/en.yaml: cannot read this file"),
]


@pytest.mark.parametrize("name,files,expected", THEME_CASES, ids=[c[0] for c in THEME_CASES])
def test_a_broken_theme_file_is_reported_not_a_traceback(built, name, files, expected):
    """Bureaus adapt a theme by hand: its YAML files get the same reporting as content."""
    stderr = built({"content/site.yaml": SITE_YAML_WITH_OWN_THEME,
                    "themes/mine/templates/.keep": "", **files})
    assert expected in stderr, stderr
    assert "\n1 error;" in stderr, stderr      # one problem, told once
