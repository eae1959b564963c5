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


def test_japanese_and_korean_windows_and_johab_bytes_are_refused_too():
    # ① is one of NEC's characters CP932 adds to Shift_JIS; Johab is Korean's other legacy form
    with pytest.raises(ReadError, match=r"looks like Japanese \(CP932\)"):
        decode_bytes(("①" + JAPANESE).encode("cp932"))
    with pytest.raises(ReadError, match=r"looks like Korean \(Johab\)"):
        decode_bytes(KOREAN.encode("johab"))


# Real EUC-TW bytes (Python has no codec for it). Written by glibc 2.36's iconv -t EUC-TW from
# 客戶抱怨、投訴處理的步驟:第一步耐心傾聽,第二步真誠道歉,第三步提出解決方案。堃 (堃 is CNS plane 3,
# four bytes 8E A3 ..); and the first 239 bytes of chardet's tests/EUC-TW/_ude_euc-tw1.txt
# (維基大典（Wikipedia）者，網路為礎 …), a page from the wild.
EUC_TW_ICONV = bytes.fromhex(
    "d0eac5c2cdecd1aca1a3cacde2abdda8dca1cefbcae3fcf53adcc9c4a1cae3d3a3c5c0e3b0fbef2cdcc9c4a8cae3d6f8e6"
    "e2e7ace9b92cdcc9c4b5cae3dfc8c5f8e6d8caeec5c9d5f9a1a48ea3b4f6")
EUC_TW_CHARDET = bytes.fromhex(
    "eac4d9d7c4cbcca8a1be57696b697065646961a1bfcfafa1a2eabde6fbd2b3f6f0a1a7e2f5c5b2c4b6cfa1a1a3c6bed6c0"
    "cbc6a1a3dcb8c4a9cab5a1a2d5f3c8cbd2efdbefa1a4cceec9a2cfafa1a2eac4d9d7dee8fcd5d9d7cfdae4c4c4bea1a40a"
    "0acca8eacec5e7cdb2cbd1c8a1c4b2c4a8c5ccc5bdc4a1a1a2c5afc4d7c4e0c8a1c4a8c5ccc4b2c4a6a1a2c8adc7d6c5c9"
    "eba3cbc6c4a8c8cbc4ecc4b2a1a2c7d9e7b7c4a4c8cbe5dcc6f8a1a7c4a8c4b2c4cbccbac8fcc4acc8a9a1a2deccd3c1c5"
    "c6ccbac7a9e7b4c4a8c8cbe5dca1a4dabec5c6c4a5c5b2c4b6c8b4cab5c7c1e1adc8d4c8a9a1a7c8b4e3f4")


@pytest.mark.parametrize("data", [EUC_TW_ICONV, EUC_TW_CHARDET, EUC_TW_ICONV * 2000], ids=["iconv", "chardet", "long"])
def test_euc_tw_is_refused_with_a_reason_not_read_as_gb18030_nonsense(tmp_path, data):
    f = tmp_path / "課程.txt"
    f.write_bytes(data)
    with pytest.raises(ReadError, match=r"課程.txt: looks like Chinese in EUC-TW .*save it as UTF-8 or Big5"):
        read_file(f)


@pytest.mark.parametrize("encoding", ["gb2312", "gb18030", "big5"])
def test_short_chinese_in_legacy_encodings_is_not_taken_for_euc_tw(seeds_dir, encoding):
    # GB2312's two-byte codes have EUC-TW's very shape: a few characters must still read as GB
    from kb.script import to_hans, to_hant

    text = next(seeds_dir.glob("000*.txt")).read_text("utf-8")
    for start in range(0, 3000, 97):
        for length in (4, 12, 60):
            piece = text[start:start + length]
            data = (to_hant(piece) if encoding == "big5" else to_hans(piece)).encode(encoding, errors="ignore")
            try:
                data.decode("utf-8")  # ASCII, or a few bytes that happen to be UTF-8: no guess to make
            except UnicodeDecodeError:
                assert decode_bytes(data)[1] in ("gb18030", "big5"), piece
