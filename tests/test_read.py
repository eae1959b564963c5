import codecs

import pytest

from kb.errors import ReadError
from kb.read import decode_bytes, read_file

TRAD = "化訴為金的客服技巧:顧客抱怨、投訴處理的步驟,第一步耐心傾聽。" * 3
SIMP = "快递大客户开发实务:派前电动车检查要点,检查轮胎气压。" * 3


@pytest.mark.parametrize(
    "data, text",
    [
        (SIMP.encode("utf-8"), SIMP),
        (codecs.BOM_UTF8 + SIMP.encode("utf-8"), SIMP),
        (TRAD.encode("big5"), TRAD),
        (SIMP.encode("gb18030"), SIMP),
        (TRAD.encode("gb18030"), TRAD),
        (SIMP.encode("utf-16"), SIMP),
        (SIMP.encode("utf-16-le"), SIMP),
        (SIMP.encode("utf-16-be"), SIMP),
    ],
    ids=["utf8", "utf8-bom", "big5", "gbk-simplified", "gbk-traditional", "utf16-bom", "utf16le", "utf16be"],
)
def test_office_encodings_decode_to_the_same_text(data, text):
    assert decode_bytes(data)[0] == text


def test_real_seed_reads_as_utf8(seeds_dir):
    st = read_file(next(seeds_dir.glob("000*.txt")))
    assert st.encoding == "utf-8"
    assert st.text.startswith("《經營效益提升管道整體課程》")
    assert len(st.sha256) == 64


def test_binary_file_is_refused_with_its_name(tmp_path):
    f = tmp_path / "deck.txt"
    f.write_bytes(b"PK\x03\x04\x00\x00binary\x00\x01\x02" * 50)
    with pytest.raises(ReadError, match="deck.txt"):
        read_file(f)


def test_undecodable_bytes_are_refused(tmp_path):
    f = tmp_path / "noise.txt"
    f.write_bytes(bytes(range(0x80, 0x100)) * 20)
    with pytest.raises(ReadError, match="noise.txt"):
        read_file(f)


def test_unreadable_path_is_a_read_error(tmp_path):
    with pytest.raises(ReadError, match="cannot read"):
        read_file(tmp_path / "missing.txt")


JAPANESE = "これは日本語のテキストです。東京は日本の首都です。お客様からのご意見をお待ちしております。" * 4
KOREAN = "이것은 한국어 텍스트입니다. 서울은 한국의 수도입니다. 고객님의 의견을 기다리고 있습니다." * 4


@pytest.mark.parametrize("text, encoding, language", [
    (JAPANESE, "shift_jis", "Japanese"), (JAPANESE, "euc_jp", "Japanese"), (JAPANESE, "iso2022_jp", "Japanese"),
    (KOREAN, "euc_kr", "Korean"), (KOREAN, "cp949", "Korean"),
])
def test_japanese_and_korean_bytes_are_refused_not_indexed_as_chinese_nonsense(text, encoding, language):
    with pytest.raises(ReadError, match=f"looks like {language}"):
        decode_bytes(text.encode(encoding))


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "big5"])
def test_chinese_in_legacy_encodings_is_still_read(seeds_dir, encoding):
    from kb.script import to_hant

    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text("utf-8")
        text = to_hant(text) if encoding == "big5" else text
        data = text.encode(encoding, errors="replace")
        assert decode_bytes(data)[1] in ("gb18030", "big5")
