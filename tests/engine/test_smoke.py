from tests.imagegen import cer, render_lines, to_bytes


def test_english_lines_recognised(engine):
    lines = ["TAX INVOICE No. 4521", "Total amount: 38.90"]
    res = engine.run(to_bytes(render_lines(lines)), name="en.png", use_cache=False)
    assert res.error is None
    assert cer("\n".join(lines), res.text) < 0.05, res.text


def test_chinese_lines_recognised(engine):
    lines = ["基于轮廓检测自动校正倾斜", "单次推理内使用多线程加速"]
    res = engine.run(to_bytes(render_lines(lines)), name="zh.png", use_cache=False)
    assert res.error is None
    assert cer("".join(lines), res.text) < 0.05, res.text
