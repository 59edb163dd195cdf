<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
  <context>
    <name>Actions</name>
    <message>
      <source>Add files…</source>
      <translation>添加文件…</translation>
    </message>
    <message>
      <source>Add image or PDF files to the batch</source>
      <translation>将图片或 PDF 文件加入批处理</translation>
    </message>
    <message>
      <source>Add folder…</source>
      <translation>添加文件夹…</translation>
    </message>
    <message>
      <source>Add every image in a folder and its subfolders</source>
      <translation>添加文件夹及其子文件夹中的所有图片</translation>
    </message>
    <message>
      <source>Paste</source>
      <translation>粘贴</translation>
    </message>
    <message>
      <source>Add an image or image files from the clipboard</source>
      <translation>从剪贴板添加图片或图片文件</translation>
    </message>
    <message>
      <source>Cancel</source>
      <translation>取消</translation>
    </message>
    <message>
      <source>Stop the batch: queued items are cancelled, running ones finish</source>
      <translation>停止批处理：排队的项目被取消，正在处理的项目会完成</translation>
    </message>
    <message>
      <source>Retry failed</source>
      <translation>重试失败项</translation>
    </message>
    <message>
      <source>Run failed and cancelled items again</source>
      <translation>重新处理失败和已取消的项目</translation>
    </message>
    <message>
      <source>Remove</source>
      <translation>移除</translation>
    </message>
    <message>
      <source>Remove the selected items from the list</source>
      <translation>从列表中移除所选项目</translation>
    </message>
    <message>
      <source>Clear</source>
      <translation>清空</translation>
    </message>
    <message>
      <source>Remove all items (cancels the batch)</source>
      <translation>移除所有项目（并取消批处理）</translation>
    </message>
    <message>
      <source>Copy text</source>
      <translation>复制文本</translation>
    </message>
    <message>
      <source>Copy the text of the selected items (or the selected text)</source>
      <translation>复制所选项目的文本（或所选文字）</translation>
    </message>
    <message>
      <source>Copy all text</source>
      <translation>复制全部文本</translation>
    </message>
    <message>
      <source>Copy the text of all finished items, with file names</source>
      <translation>复制所有已完成项目的文本，附带文件名</translation>
    </message>
    <message>
      <source>Export…</source>
      <translation>导出…</translation>
    </message>
    <message>
      <source>Save text as TXT, Markdown, JSON, CSV or searchable PDF</source>
      <translation>将文本保存为 TXT、Markdown、JSON、CSV 或可搜索 PDF</translation>
    </message>
    <message>
      <source>Zoom in</source>
      <translation>放大</translation>
    </message>
    <message>
      <source>Zoom both images in</source>
      <translation>同时放大两张图片</translation>
    </message>
    <message>
      <source>Zoom out</source>
      <translation>缩小</translation>
    </message>
    <message>
      <source>Zoom both images out</source>
      <translation>同时缩小两张图片</translation>
    </message>
    <message>
      <source>Fit to window</source>
      <translation>适应窗口</translation>
    </message>
    <message>
      <source>Fit both images to the view</source>
      <translation>让两张图片适应视图</translation>
    </message>
    <message>
      <source>Actual size</source>
      <translation>实际大小</translation>
    </message>
    <message>
      <source>Show both images at 100 %</source>
      <translation>以 100% 显示两张图片</translation>
    </message>
    <message>
      <source>Dark mode</source>
      <translation>深色模式</translation>
    </message>
    <message>
      <source>Switch between the light and dark palette</source>
      <translation>在浅色和深色配色之间切换</translation>
    </message>
    <message>
      <source>Settings…</source>
      <translation>设置…</translation>
    </message>
    <message>
      <source>Recognition, appearance, language and local API server</source>
      <translation>识别、外观、语言和本地 API 服务</translation>
    </message>
    <message>
      <source>About OCR Desk</source>
      <translation>关于 OCR Desk</translation>
    </message>
    <message>
      <source>Version and model information</source>
      <translation>版本和模型信息</translation>
    </message>
    <message>
      <source>Quit</source>
      <translation>退出</translation>
    </message>
    <message>
      <source>Close OCR Desk</source>
      <translation>关闭 OCR Desk</translation>
    </message>
    <message>
      <source>Capture region…</source>
      <translation>截图识别…</translation>
    </message>
    <message>
      <source>Select part of the screen and copy its text (global shortcut in Settings)</source>
      <translation>框选屏幕的一部分并复制其中的文字（全局快捷键在“设置”中）</translation>
    </message>
    <message>
      <source>Find any text read before, in every file and every run (kept on this computer only)</source>
      <translation>查找以前识别过的任何文字，涵盖所有文件和每次运行（只保存在本机）</translation>
    </message>
    <message>
      <source>Put the items last removed or cleared back in the list</source>
      <translation>将最近移除或清空的项目放回列表</translation>
    </message>
    <message>
      <source>Search history…</source>
      <translation>搜索历史…</translation>
    </message>
    <message>
      <source>Undo remove</source>
      <translation>撤销移除</translation>
    </message>
  </context>
  <context>
    <name>BatchModel</name>
    <message>
      <source>File</source>
      <translation>文件</translation>
    </message>
    <message>
      <source>Status</source>
      <translation>状态</translation>
    </message>
    <message>
      <source>Lines</source>
      <translation>行数</translation>
    </message>
    <message>
      <source>Confidence</source>
      <translation>置信度</translation>
    </message>
    <message>
      <source>ms</source>
      <translation>毫秒</translation>
    </message>
    <message>
      <source>queued</source>
      <translation>排队中</translation>
    </message>
    <message>
      <source>running</source>
      <translation>处理中</translation>
    </message>
    <message>
      <source>done</source>
      <translation>完成</translation>
    </message>
    <message>
      <source>failed</source>
      <translation>失败</translation>
    </message>
    <message>
      <source>cancelled</source>
      <translation>已取消</translation>
    </message>
    <message>
      <source>pasted image</source>
      <translation>粘贴的图片</translation>
    </message>
    <message>
      <source>Page %1</source>
      <translation>第 %1 页</translation>
    </message>
    <message>
      <source>Conf.</source>
      <translation>置信度</translation>
    </message>
    <message>
      <source>File name</source>
      <translation>文件名</translation>
    </message>
    <message>
      <source>Recognition status</source>
      <translation>识别状态</translation>
    </message>
    <message>
      <source>Recognised lines</source>
      <translation>识别出的行数</translation>
    </message>
    <message>
      <source>Mean recognition confidence</source>
      <translation>平均识别置信度</translation>
    </message>
    <message>
      <source>Recognition time in milliseconds</source>
      <translation>识别耗时（毫秒）</translation>
    </message>
    <message>
      <source>source missing</source>
      <translation>源文件缺失</translation>
    </message>
  </context>
  <context>
    <name>CompareView</name>
    <message>
      <source>Grayscale</source>
      <translation>灰度</translation>
    </message>
    <message>
      <source>Equalised (CLAHE)</source>
      <translation>均衡化 (CLAHE)</translation>
    </message>
    <message>
      <source>Binarised</source>
      <translation>二值化</translation>
    </message>
    <message>
      <source>Flattened / deskewed</source>
      <translation>展平 / 纠偏</translation>
    </message>
    <message>
      <source>Original</source>
      <translation>原图</translation>
    </message>
    <message>
      <source>Preprocessed:</source>
      <translation>预处理：</translation>
    </message>
    <message>
      <source>Select a finished item to compare the original with the preprocessed image</source>
      <translation>选择一个已完成的项目，对比原图与预处理后的图像</translation>
    </message>
    <message>
      <source>Preprocessing stage shown on the right</source>
      <translation>右侧显示的预处理阶段</translation>
    </message>
    <message>
      <source>Zoom in (Ctrl++)</source>
      <translation>放大 (Ctrl++)</translation>
    </message>
    <message>
      <source>Zoom out (Ctrl+-)</source>
      <translation>缩小 (Ctrl+-)</translation>
    </message>
    <message>
      <source>Fit to window (Ctrl+0)</source>
      <translation>适应窗口 (Ctrl+0)</translation>
    </message>
    <message>
      <source>Actual size, 100 % (Ctrl+1)</source>
      <translation>实际大小 100% (Ctrl+1)</translation>
    </message>
    <message>
      <source>This image cannot be displayed</source>
      <translation>无法显示此图片</translation>
    </message>
    <message>
      <source>Reading order</source>
      <translation>阅读顺序</translation>
    </message>
    <message>
      <source>Number the boxes in reading order (block.line)</source>
      <translation>按阅读顺序为文字框编号（块.行）</translation>
    </message>
  </context>
  <context>
    <name>ExportDialog</name>
    <message>
      <source>Export</source>
      <translation>导出</translation>
    </message>
    <message>
      <source>Plain text (.txt)</source>
      <translation>纯文本 (.txt)</translation>
    </message>
    <message>
      <source>Spreadsheet (.csv)</source>
      <translation>表格 (.csv)</translation>
    </message>
    <message>
      <source>Searchable PDF (.pdf)</source>
      <translation>可搜索 PDF (.pdf)</translation>
    </message>
    <message>
      <source>Selected items (%1)</source>
      <translation>所选项目（%1）</translation>
    </message>
    <message>
      <source>All finished items (%1)</source>
      <translation>所有已完成项目（%1）</translation>
    </message>
    <message>
      <source>One combined file</source>
      <translation>合并为一个文件</translation>
    </message>
    <message>
      <source>One file per item (into a folder)</source>
      <translation>每个项目一个文件（保存到文件夹）</translation>
    </message>
    <message>
      <source>Browse…</source>
      <translation>浏览…</translation>
    </message>
    <message>
      <source>Format:</source>
      <translation>格式：</translation>
    </message>
    <message>
      <source>Items:</source>
      <translation>项目：</translation>
    </message>
    <message>
      <source>Files:</source>
      <translation>文件：</translation>
    </message>
    <message>
      <source>Save to:</source>
      <translation>保存到：</translation>
    </message>
    <message>
      <source>Export to</source>
      <translation>导出到</translation>
    </message>
    <message>
      <source>Export into folder</source>
      <translation>导出到文件夹</translation>
    </message>
  </context>
  <context>
    <name>MainWindow</name>
    <message>
      <source>&amp;File</source>
      <translation>文件(&amp;F)</translation>
    </message>
    <message>
      <source>&amp;Edit</source>
      <translation>编辑(&amp;E)</translation>
    </message>
    <message>
      <source>&amp;Batch</source>
      <translation>批处理(&amp;B)</translation>
    </message>
    <message>
      <source>&amp;View</source>
      <translation>视图(&amp;V)</translation>
    </message>
    <message>
      <source>&amp;Tools</source>
      <translation>工具(&amp;T)</translation>
    </message>
    <message>
      <source>&amp;Help</source>
      <translation>帮助(&amp;H)</translation>
    </message>
    <message>
      <source>Recognition models unavailable</source>
      <translation>识别模型不可用</translation>
    </message>
    <message>
      <source>OCR Desk cannot recognise text until its models are restored.</source>
      <translation>恢复模型文件之前，OCR Desk 无法识别文字。</translation>
    </message>
    <message>
      <source>Models unavailable: %1</source>
      <translation>模型不可用：%1</translation>
    </message>
    <message>
      <source>Loading recognition models…</source>
      <translation>正在加载识别模型…</translation>
    </message>
    <message>
      <source>Ready · %1 %2 · %3 threads × %4 parallel</source>
      <translation>就绪 · %1 %2 · %3 线程 × %4 并行</translation>
    </message>
    <message>
      <source>API: %1</source>
      <translation>API：%1</translation>
    </message>
    <message>
      <source>Add files</source>
      <translation>添加文件</translation>
    </message>
    <message>
      <source>Images and PDFs (%1);;All files (*)</source>
      <translation>图片和 PDF (%1);;所有文件 (*)</translation>
    </message>
    <message>
      <source>Add folder</source>
      <translation>添加文件夹</translation>
    </message>
    <message>
      <source>Nothing to paste: copy an image or image files first</source>
      <translation>没有可粘贴的内容：请先复制图片或图片文件</translation>
    </message>
    <message>
      <source>Drop to add to the batch</source>
      <translation>松开鼠标即可加入批处理</translation>
    </message>
    <message>
      <source>Cancelled: running items will finish</source>
      <translation>已取消：正在处理的项目会完成</translation>
    </message>
    <message>
      <source>No text to copy</source>
      <translation>没有可复制的文本</translation>
    </message>
    <message>
      <source>Copied %1 characters</source>
      <translation>已复制 %1 个字符</translation>
    </message>
    <message>
      <source>Export</source>
      <translation>导出</translation>
    </message>
    <message>
      <source>Export is not available in this build.</source>
      <translation>此版本不支持导出。</translation>
    </message>
    <message>
      <source>Exporting…</source>
      <translation>正在导出…</translation>
    </message>
    <message>
      <source>Exported %1 file(s)</source>
      <translation>已导出 %1 个文件</translation>
    </message>
    <message>
      <source>Saved to %1</source>
      <translation>已保存到 %1</translation>
    </message>
    <message>
      <source>Export failed</source>
      <translation>导出失败</translation>
    </message>
    <message>
      <source>The export could not be written.</source>
      <translation>无法写入导出文件。</translation>
    </message>
    <message>
      <source>About OCR Desk</source>
      <translation>关于 OCR Desk</translation>
    </message>
    <message>
      <source>Offline Chinese and English text recognition. Nothing leaves this computer.</source>
      <translation>离线中英文文字识别。任何内容都不会离开本机。</translation>
    </message>
    <message>
      <source>No images or PDFs found there</source>
      <translation>那里没有找到图片或 PDF</translation>
    </message>
    <message>
      <source>Added %1, skipped %2 already in the list</source>
      <translation>已添加 %1 个，跳过 %2 个已在列表中的文件</translation>
    </message>
    <message>
      <source>Show in folder</source>
      <translation>在文件夹中显示</translation>
    </message>
    <message>
      <source>Batch finished: %1 done</source>
      <translation>批处理完成：%1 个已完成</translation>
    </message>
    <message>
      <source>%1 failed</source>
      <translation>%1 个失败</translation>
    </message>
    <message>
      <source>%1 item(s) have edits that were not exported. Clear anyway? (Ctrl+Z brings them back)</source>
      <translation>%1 个项目有尚未导出的修改。仍要清空吗？（Ctrl+Z 可恢复）</translation>
    </message>
    <message>
      <source>%1 items, %2 % hits</source>
      <translation>%1 项，命中率 %2 %</translation>
    </message>
    <message>
      <source>Classifier on</source>
      <translation>启用方向分类器</translation>
    </message>
    <message>
      <source>Clear the list?</source>
      <translation>清空列表？</translation>
    </message>
    <message>
      <source>Detector</source>
      <translation>检测模型</translation>
    </message>
    <message>
      <source>Detector in bands</source>
      <translation>分带检测</translation>
    </message>
    <message>
      <source>History</source>
      <translation>历史</translation>
    </message>
    <message>
      <source>History unavailable: %1</source>
      <translation>历史不可用：%1</translation>
    </message>
    <message>
      <source>INT8 kernel</source>
      <translation>INT8 内核</translation>
    </message>
    <message>
      <source>Line classifier</source>
      <translation>文字行方向分类模型</translation>
    </message>
    <message>
      <source>Load time (ms)</source>
      <translation>加载时间（毫秒）</translation>
    </message>
    <message>
      <source>Model set</source>
      <translation>模型组</translation>
    </message>
    <message>
      <source>Page orientation</source>
      <translation>页面方向模型</translation>
    </message>
    <message>
      <source>Post-processors</source>
      <translation>后处理</translation>
    </message>
    <message>
      <source>Precision</source>
      <translation>精度</translation>
    </message>
    <message>
      <source>Recogniser</source>
      <translation>识别模型</translation>
    </message>
    <message>
      <source>Removed %1 item(s) · Ctrl+Z puts them back</source>
      <translation>已移除 %1 个项目 · Ctrl+Z 可放回</translation>
    </message>
    <message>
      <source>Result cache</source>
      <translation>结果缓存</translation>
    </message>
    <message>
      <source>Threads</source>
      <translation>线程数</translation>
    </message>
    <message>
      <source>dropped image.png</source>
      <translation>拖入的图片.png</translation>
    </message>
    <message>
      <source>no</source>
      <translation>否</translation>
    </message>
    <message>
      <source>pasted %1.png</source>
      <translation>粘贴 %1.png</translation>
    </message>
    <message>
      <source>user data folder</source>
      <translation>用户数据文件夹</translation>
    </message>
    <message>
      <source>yes</source>
      <translation>是</translation>
    </message>
    <message>
      <source> · unbending pages</source>
      <translation> · 展平弯曲页面</translation>
    </message>
  </context>
  <context>
    <name>SettingsDialog</name>
    <message>
      <source>Settings</source>
      <translation>设置</translation>
    </message>
    <message>
      <source>INT8 (fast, default)</source>
      <translation>INT8（快速，默认）</translation>
    </message>
    <message>
      <source>FP32 (reference accuracy)</source>
      <translation>FP32（参考精度）</translation>
    </message>
    <message>
      <source>%1 (not installed)</source>
      <translation>%1（未安装）</translation>
    </message>
    <message>
      <source>Not installed. Add these models with:
%1</source>
      <translation>未安装。用以下命令添加这些模型：
%1</translation>
    </message>
    <message>
      <source>Add FP32 models…</source>
      <translation>添加 FP32 模型…</translation>
    </message>
    <message>
      <source>Download the optional FP32 recogniser (about 27 MB) and check it</source>
      <translation>下载可选的 FP32 识别模型（约 27 MB）并校验</translation>
    </message>
    <message>
      <source>Downloading…</source>
      <translation>正在下载…</translation>
    </message>
    <message>
      <source>FP32 models not added</source>
      <translation>未能添加 FP32 模型</translation>
    </message>
    <message>
      <source>Add dewarp pack…</source>
      <translation>添加去弯曲扩展包…</translation>
    </message>
    <message>
      <source>Download UVDoc's page-dewarping model (55 MB download, 32 MB on disk), check and convert it</source>
      <translation>下载 UVDoc 页面去弯曲模型（下载 55 MB，占用 32 MB），校验并转换</translation>
    </message>
    <message>
      <source>Not installed. Add the pack with the button or with:
%1</source>
      <translation>未安装。用按钮或以下命令添加扩展包：
%1</translation>
    </message>
    <message>
      <source>Dewarp pack not added</source>
      <translation>未能添加去弯曲扩展包</translation>
    </message>
    <message>
      <source>Images processed at the same time. 1–2 is best: each image already uses several cores.</source>
      <translation>同时处理的图片数。建议 1–2：每张图片本身已使用多个核心。</translation>
    </message>
    <message>
      <source>Automatic</source>
      <translation>自动</translation>
    </message>
    <message>
      <source>Threads per image (0 = physical cores / workers = %1)</source>
      <translation>每张图片的线程数（0 = 物理核心数 / 并行数 = %1）</translation>
    </message>
    <message>
      <source>Recognition</source>
      <translation>识别</translation>
    </message>
    <message>
      <source>Model precision:</source>
      <translation>模型精度：</translation>
    </message>
    <message>
      <source>Parallel images:</source>
      <translation>并行图片数：</translation>
    </message>
    <message>
      <source>Threads per image:</source>
      <translation>每张图片线程数：</translation>
    </message>
    <message>
      <source>This computer has %1 physical cores.</source>
      <translation>本机有 %1 个物理核心。</translation>
    </message>
    <message>
      <source>Follow system</source>
      <translation>跟随系统</translation>
    </message>
    <message>
      <source>Light</source>
      <translation>浅色</translation>
    </message>
    <message>
      <source>Dark</source>
      <translation>深色</translation>
    </message>
    <message>
      <source>Appearance</source>
      <translation>外观</translation>
    </message>
    <message>
      <source>Theme:</source>
      <translation>主题：</translation>
    </message>
    <message>
      <source>Language:</source>
      <translation>语言：</translation>
    </message>
    <message>
      <source>Local API server</source>
      <translation>本地 API 服务</translation>
    </message>
    <message>
      <source>Port (loopback only):</source>
      <translation>端口（仅本机）：</translation>
    </message>
    <message>
      <source>Status:</source>
      <translation>状态：</translation>
    </message>
    <message>
      <source>Stop</source>
      <translation>停止</translation>
    </message>
    <message>
      <source>Start</source>
      <translation>启动</translation>
    </message>
    <message>
      <source>not available in this build</source>
      <translation>此版本不可用</translation>
    </message>
    <message>
      <source>running at %1</source>
      <translation>运行于 %1</translation>
    </message>
    <message>
      <source>stopped</source>
      <translation>已停止</translation>
    </message>
    <message>
      <source>The server could not start: %1</source>
      <translation>服务无法启动：%1</translation>
    </message>
    <message>
      <source>Changes to language take effect immediately.</source>
      <translation>语言更改会立即生效。</translation>
    </message>
    <message>
      <source>Default</source>
      <translation>默认</translation>
    </message>
    <message>
      <source>Recognition models to use (installed under models/)</source>
      <translation>要使用的识别模型（安装在 models/ 下）</translation>
    </message>
    <message>
      <source>Models:</source>
      <translation>模型：</translation>
    </message>
    <message>
      <source>Active: works in every program</source>
      <translation>已启用：在任何程序中都可使用</translation>
    </message>
    <message>
      <source>Add OCR Desk under System Settings → General → Login Items</source>
      <translation>请在“系统设置 → 通用 → 登录项”中添加 OCR Desk</translation>
    </message>
    <message>
      <source>Add captures to the batch list</source>
      <translation>将截图加入批处理列表</translation>
    </message>
    <message>
      <source>Closing the window keeps OCR Desk in the tray</source>
      <translation>关闭窗口时 OCR Desk 保留在系统托盘中</translation>
    </message>
    <message>
      <source>Global shortcut:</source>
      <translation>全局快捷键：</translation>
    </message>
    <message>
      <source>Press the keys to use anywhere for a capture; clear to use none</source>
      <translation>按下在任何地方用于截图识别的组合键；清除则不使用</translation>
    </message>
    <message>
      <source>Quick capture</source>
      <translation>截图识别</translation>
    </message>
    <message>
      <source>Start OCR Desk when I log in</source>
      <translation>登录时启动 OCR Desk</translation>
    </message>
    <message>
      <source>Start minimised to the tray</source>
      <translation>启动时最小化到托盘</translation>
    </message>
    <message>
      <source>Start with the system</source>
      <translation>开机启动</translation>
    </message>
    <message>
      <source>This desktop has no system tray</source>
      <translation>此桌面没有系统托盘</translation>
    </message>
    <message>
      <source>Any free port</source>
      <translation>任意空闲端口</translation>
    </message>
    <message>
      <source>Reading</source>
      <translation>读取</translation>
    </message>
    <message>
      <source>Use a born-digital PDF's own text instead of OCR</source>
      <translation>使用电子版 PDF 自带的文本，而不做 OCR</translation>
    </message>
    <message>
      <source>Turn upside-down lines (angle classifier)</source>
      <translation>翻转倒置的文本行（方向分类器）</translation>
    </message>
    <message>
      <source>Turn pages that lie sideways upright</source>
      <translation>将横躺的页面转正</translation>
    </message>
    <message>
      <source>Flatten photographed pages (perspective correction)</source>
      <translation>拉平拍摄的页面（透视校正）</translation>
    </message>
    <message>
      <source>Unbend curled or folded page photos (dewarp pack)</source>
      <translation>展平弯曲或折叠的页面照片（去弯曲扩展包）</translation>
    </message>
    <message>
      <source>Repair money amounts</source>
      <translation>修复金额</translation>
    </message>
    <message>
      <source>Add word spaces where the ink shows a gap</source>
      <translation>在字迹有间隙处添加空格</translation>
    </message>
    <message>
      <source>Find free-standing colons and lone digits</source>
      <translation>查找独立的冒号和单个数字</translation>
    </message>
    <message>
      <source>One Chinese script per page (Simplified where clear)</source>
      <translation>每页统一一种中文字形（明确时用简体）</translation>
    </message>
    <message>
      <source>Highlight less the Chinese characters that form a word</source>
      <translation>能与相邻字组成词语的汉字少做可疑标记</translation>
    </message>
    <message>
      <source>Split lines at gaps as wide as a column gutter</source>
      <translation>在与栏间距一样宽的空隙处拆分文本行</translation>
    </message>
    <message>
      <source>Also read QR codes and barcodes</source>
      <translation>同时识别二维码和条形码</translation>
    </message>
    <message>
      <source>Drop lines below confidence:</source>
      <translation>丢弃置信度低于此值的行：</translation>
    </message>
    <message>
      <source> days</source>
      <translation> 天</translation>
    </message>
    <message>
      <source>All stored text, edits and the saved batch are deleted.</source>
      <translation>所有保存的文字、修改和保存的批处理列表都将被删除。</translation>
    </message>
    <message>
      <source>Forever</source>
      <translation>永久</translation>
    </message>
    <message>
      <source>Forget everything?</source>
      <translation>忘记全部？</translation>
    </message>
    <message>
      <source>Forget everything…</source>
      <translation>忘记全部…</translation>
    </message>
    <message>
      <source>History</source>
      <translation>历史</translation>
    </message>
    <message>
      <source>History stays on this computer; nothing is sent anywhere.</source>
      <translation>历史只保存在本机，不会发送到任何地方。</translation>
    </message>
    <message>
      <source>Keep for:</source>
      <translation>保留：</translation>
    </message>
    <message>
      <source>Keep history: every page read and every edit, searchable later</source>
      <translation>保留历史：保存每一页识别结果和每次修改，以后可搜索</translation>
    </message>
    <message>
      <source>Highlight less the words the page reads surely elsewhere</source>
      <translation>本页别处已清楚识别的词语少做可疑标记</translation>
    </message>
  </context>
  <context>
    <name>TextPanel</name>
    <message>
      <source>Text</source>
      <translation>文本</translation>
    </message>
    <message>
      <source>highlighted: low confidence</source>
      <translation>高亮：低置信度</translation>
    </message>
    <message>
      <source>Recognised text appears here. You can edit it; copy and export use your edits.</source>
      <translation>识别出的文字显示在这里。可以直接编辑，复制和导出会使用编辑后的内容。</translation>
    </message>
    <message>
      <source>Click a line to highlight its box on the image</source>
      <translation>点击一行文字，在图片上高亮对应的文本框</translation>
    </message>
    <message>
      <source>Failed: %1</source>
      <translation>失败：%1</translation>
    </message>
    <message>
      <source>confidence %1 %</source>
      <translation>置信度 %1%</translation>
    </message>
    <message>
      <source>preprocess</source>
      <translation>预处理</translation>
    </message>
    <message>
      <source>unbend</source>
      <translation>展平弯曲</translation>
    </message>
    <message>
      <source>detect</source>
      <translation>检测</translation>
    </message>
    <message>
      <source>recognise</source>
      <translation>识别</translation>
    </message>
    <message>
      <source>total</source>
      <translation>总计</translation>
    </message>
    <message>
      <source>from cache</source>
      <translation>来自缓存</translation>
    </message>
    <message>
      <source>%1 lines, mean confidence %2 %</source>
      <translation>%1 行，平均置信度 %2%</translation>
    </message>
    <message>
      <source>from the PDF's text layer</source>
      <translation>来自 PDF 文本层</translation>
    </message>
    <message>
      <source>Click a line to highlight its box on the image. Tab leaves the text; Ctrl+Tab types a tab.</source>
      <translation>点击一行可在图片上突出显示其文字框。Tab 离开文本框；Ctrl+Tab 输入制表符。</translation>
    </message>
    <message>
      <source>Code (indented)</source>
      <translation>代码（保留缩进）</translation>
    </message>
    <message>
      <source>How the text is laid out: copy and export use the same layout</source>
      <translation>文字的排版方式：复制和导出使用相同排版</translation>
    </message>
    <message>
      <source>Lines</source>
      <translation>按行</translation>
    </message>
    <message>
      <source>No layout</source>
      <translation>不排版</translation>
    </message>
    <message>
      <source>Paragraphs</source>
      <translation>按段落</translation>
    </message>
  </context>
  <context>
    <name>EmptyState</name>
    <message>
      <source>Drop images, PDFs or folders here</source>
      <translation>将图片、PDF 或文件夹拖到这里</translation>
    </message>
    <message>
      <source>Or paste a screenshot with Ctrl+V. Everything stays on this computer.</source>
      <translation>也可以用 Ctrl+V 粘贴截图。所有内容都只保留在本机。</translation>
    </message>
    <message>
      <source>Add files…</source>
      <translation>添加文件…</translation>
    </message>
    <message>
      <source>Add folder…</source>
      <translation>添加文件夹…</translation>
    </message>
    <message>
      <source>Add image or PDF files (Ctrl+O)</source>
      <translation>添加图片或 PDF 文件 (Ctrl+O)</translation>
    </message>
    <message>
      <source>Add every image in a folder and its subfolders (Ctrl+Shift+O)</source>
      <translation>添加文件夹及其子文件夹中的所有图片 (Ctrl+Shift+O)</translation>
    </message>
  </context>
  <context>
    <name>BatchPanel</name>
    <message>
      <source>Batch</source>
      <translation>批处理</translation>
    </message>
    <message>
      <source>No files yet</source>
      <translation>还没有文件</translation>
    </message>
    <message>
      <source>%1 of %2 done</source>
      <translation>已完成 %1 / %2</translation>
    </message>
    <message>
      <source>%1 failed</source>
      <translation>%1 个失败</translation>
    </message>
    <message>
      <source>%1 cancelled</source>
      <translation>%1 个已取消</translation>
    </message>
    <message>
      <source>about %1 left</source>
      <translation>约剩 %1</translation>
    </message>
  </context>
  <context>
    <name>DetailPane</name>
    <message>
      <source>Waiting for recognition…</source>
      <translation>等待识别…</translation>
    </message>
    <message>
      <source>Failed: %1</source>
      <translation>失败：%1</translation>
    </message>
    <message>
      <source>Loading image…</source>
      <translation>正在加载图片…</translation>
    </message>
    <message>
      <source>Source missing: the file was moved or deleted. Its text is kept.</source>
      <translation>源文件缺失：文件已被移动或删除。其文字仍然保留。</translation>
    </message>
  </context>
  <context>
    <name>CaptureToast</name>
    <message>
      <source>Capture failed</source>
      <translation>截图识别失败</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <source>Copied %1 characters</source>
      <translation>已复制 %1 个字符</translation>
    </message>
    <message>
      <source>Copy again</source>
      <translation>再次复制</translation>
    </message>
    <message>
      <source>No text found in the selection</source>
      <translation>所选区域中未找到文字</translation>
    </message>
    <message>
      <source>Open in window</source>
      <translation>在窗口中打开</translation>
    </message>
    <message>
      <source>Text recognised</source>
      <translation>已识别文字</translation>
    </message>
  </context>
  <context>
    <name>Hotkey</name>
    <message>
      <source>%1 alone would stop that key from typing: add Ctrl, Alt or the Windows key</source>
      <translation>单独使用 %1 会让该键无法输入：请加上 Ctrl、Alt 或 Windows 键</translation>
    </message>
    <message>
      <source>%1 is already used by another program: choose another shortcut in Settings.</source>
      <translation>%1 已被其他程序占用：请在“设置”中选择其他快捷键。</translation>
    </message>
    <message>
      <source>Bind the command “%1” to a keyboard shortcut in your desktop's keyboard settings; it reads the region you select with the running OCR Desk.</source>
      <translation>请在桌面的键盘设置中把命令“%1”绑定到一个快捷键；它会用正在运行的 OCR Desk 识别你框选的区域。</translation>
    </message>
    <message>
      <source>Cannot reach the X display for a global shortcut: %1</source>
      <translation>无法连接 X 显示服务器以注册全局快捷键：%1</translation>
    </message>
    <message>
      <source>Global shortcuts are not built in on macOS yet.</source>
      <translation>macOS 上暂不支持内置的全局快捷键。</translation>
    </message>
    <message>
      <source>Global shortcuts need the python-xlib package (pip install python-xlib).</source>
      <translation>全局快捷键需要 python-xlib 软件包（pip install python-xlib）。</translation>
    </message>
    <message>
      <source>That key cannot be used as a global shortcut.</source>
      <translation>该键不能用作全局快捷键。</translation>
    </message>
    <message>
      <source>This display (%1) has no global shortcuts.</source>
      <translation>此显示环境（%1）不支持全局快捷键。</translation>
    </message>
    <message>
      <source>This keyboard has no %1 key.</source>
      <translation>此键盘没有 %1 键。</translation>
    </message>
    <message>
      <source>Wayland does not let apps listen to keys globally.</source>
      <translation>Wayland 不允许应用全局监听按键。</translation>
    </message>
    <message>
      <source>“%1” is not a key combination</source>
      <translation>“%1”不是有效的组合键</translation>
    </message>
  </context>
  <context>
    <name>QuickCapture</name>
    <message>
      <source>%1 QR/barcodes</source>
      <translation>%1 个二维码/条码</translation>
    </message>
    <message>
      <source>%1 lines</source>
      <translation>%1 行</translation>
    </message>
    <message>
      <source>1 QR/barcode</source>
      <translation>1 个二维码/条码</translation>
    </message>
    <message>
      <source>1 line</source>
      <translation>1 行</translation>
    </message>
  </context>
  <context>
    <name>SelectionWindow</name>
    <message>
      <source>Drag over the text to read</source>
      <translation>拖动框选要识别的文字</translation>
    </message>
    <message>
      <source>Right-click to start over  ·  Enter for the whole screen  ·  Esc to cancel</source>
      <translation>右键重新选择  ·  回车识别整个屏幕  ·  Esc 取消</translation>
    </message>
  </context>
  <context>
    <name>Tray</name>
    <message>
      <source>%1 captures a region</source>
      <translation>按 %1 截图识别</translation>
    </message>
    <message>
      <source>Capture full screen</source>
      <translation>识别整个屏幕</translation>
    </message>
    <message>
      <source>Capture region</source>
      <translation>截图识别</translation>
    </message>
    <message>
      <source>Open window</source>
      <translation>打开窗口</translation>
    </message>
    <message>
      <source>Paste image</source>
      <translation>粘贴图片</translation>
    </message>
    <message>
      <source>Quit</source>
      <translation>退出</translation>
    </message>
    <message>
      <source>Settings…</source>
      <translation>设置…</translation>
    </message>
  </context>
  <context>
    <name>ErrorText</name>
    <message>
      <source>The file was not found or cannot be opened</source>
      <translation>找不到文件或无法打开</translation>
    </message>
    <message>
      <source>Not a regular file (a folder, device or pipe)</source>
      <translation>不是普通文件（文件夹、设备或管道）</translation>
    </message>
    <message>
      <source>The file is empty</source>
      <translation>文件为空</translation>
    </message>
    <message>
      <source>The image is too large</source>
      <translation>图像太大</translation>
    </message>
    <message>
      <source>Not an image or document OCR Desk can read</source>
      <translation>不是 OCR Desk 能读取的图像或文档</translation>
    </message>
    <message>
      <source>The file is damaged or incomplete</source>
      <translation>文件已损坏或不完整</translation>
    </message>
    <message>
      <source>The document is protected by a password</source>
      <translation>文档受密码保护</translation>
    </message>
    <message>
      <source>This file type is not supported by this build</source>
      <translation>此版本不支持该文件类型</translation>
    </message>
    <message>
      <source>Not enough memory to read this file</source>
      <translation>内存不足，无法读取此文件</translation>
    </message>
    <message>
      <source>Recognition failed</source>
      <translation>识别失败</translation>
    </message>
  </context>
  <context>
    <name>HistoryDialog</name>
    <message>
      <source>%1 found</source>
      <translation>找到 %1 条</translation>
    </message>
    <message>
      <source>Close</source>
      <translation>关闭</translation>
    </message>
    <message>
      <source>Forget this item</source>
      <translation>忘记此项目</translation>
    </message>
    <message>
      <source>Forget this item?</source>
      <translation>忘记此项目？</translation>
    </message>
    <message>
      <source>History stays on this computer. Turn it off or limit it in Settings.</source>
      <translation>历史只保存在本机。可在设置中关闭或限制保存时间。</translation>
    </message>
    <message>
      <source>Its text and edits are removed from the history.</source>
      <translation>它的文字和修改将从历史中删除。</translation>
    </message>
    <message>
      <source>Open</source>
      <translation>打开</translation>
    </message>
    <message>
      <source>Search all text read before (Chinese or English)…</source>
      <translation>搜索以前识别过的所有文字（中文或英文）…</translation>
    </message>
    <message>
      <source>Search history</source>
      <translation>搜索历史</translation>
    </message>
    <message>
      <source>page %1</source>
      <translation>第 %1 页</translation>
    </message>
    <message>
      <source>pasted image</source>
      <translation>粘贴的图片</translation>
    </message>
  </context>
</TS>