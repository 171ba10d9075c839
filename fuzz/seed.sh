#!/bin/sh
# Fills corpus/<target>/ with seeds from the test fixtures (corpus/ is not committed).
# Run from fuzz/: sh seed.sh
set -e
F=../tests/fixtures
L=$F/legacy
mk() { mkdir -p corpus/$1; }
for t in read_xlsx read_xls read_ods read_csv read_html parse_value parse_numbered load; do mk $t; done
# read_xlsx: a part index byte, then the part; 255 + a whole workbook.
i=0
python3 - <<'PY'
import zipfile, os
z = zipfile.ZipFile('../tests/fixtures/guangzhou.xlsx')
names = ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels',
         'xl/worksheets/sheet1.xml', 'xl/sharedStrings.xml', 'xl/styles.xml']
for i, n in enumerate(names):
    try:
        data = z.read(n)
    except KeyError:
        continue
    open('corpus/read_xlsx/part%d' % i, 'wb').write(bytes([i]) + data[:60000])
small = open('../tests/fixtures/guangzhou.xlsx', 'rb').read()
open('corpus/read_xlsx/whole', 'wb').write(b'\xff' + small)
z = zipfile.ZipFile('../tests/fixtures/legacy/linyi_2023.ods')
open('corpus/read_ods/content', 'wb').write(b'\x00' + z.read('content.xml'))
open('corpus/read_ods/flat', 'wb').write(b'\x01' + z.read('content.xml').replace(
    b'<office:document-content', b'<office:document office:mimetype="application/vnd.oasis.opendocument.spreadsheet"', 1))
open('corpus/read_ods/whole', 'wb').write(b'\x02' + open('../tests/fixtures/legacy/linyi_2023.ods', 'rb').read())
import csv
vals = set()
numbered = set()
for f in ['guangzhou.csv', 'yancheng_2022.csv', 'luan_2023__公积金中心运转维护经费.csv', 'tangshan_2025__预算项目绩效目标表.csv', 'linyi_2023.csv']:
    for row in csv.reader(open('../tests/fixtures/' + f, encoding='utf-8-sig')):
        for c in row:
            if '1、' in c:
                numbered.add(c)
            elif 0 < len(c) < 40:
                vals.add(c)
for n, v in enumerate(sorted(vals)[:400]):
    open('corpus/parse_value/v%d' % n, 'w').write(v)
for n, v in enumerate(sorted(numbered)[:100]):
    open('corpus/parse_numbered/n%d' % n, 'w').write(v)
PY
cp $L/*.xls corpus/read_xls/ 2>/dev/null || true
rm -f corpus/read_xls/*html*
cp $F/*.csv corpus/read_csv/
cp $F/*.csv corpus/load/
cp $L/*html* $L/*.htm corpus/read_html/
cp $L/*html* $L/*.htm corpus/load/
printf '<table><tr><td rowspan=3 colspan=2>a<br>b</td><td>&amp;&#20013;</td></tr><tr><td>c</td></tr></table>' > corpus/read_html/small
# Every other fixture and corpus file: the region fixtures, their legacy forms, and the
# hostile inputs of tests/bad_input (whole files where the target takes whole files).
R=$F/regions
B=../tests/bad_input
cp $R/*.csv corpus/read_csv/
cp $R/*.csv corpus/load/
cp $R/legacy/*.xls corpus/read_xls/ 2>/dev/null || true
python3 - <<'PY'
import glob, os
def put(target, name, data):
    open('corpus/%s/%s' % (target, name), 'wb').write(data)
for path in glob.glob('../tests/fixtures/**/*.xlsx', recursive=True) + glob.glob('../tests/bad_input/*.xlsx'):
    data = open(path, 'rb').read()
    if len(data) < 131072:
        put('read_xlsx', 'whole-' + os.path.basename(path), b'\xff' + data)
        put('load', os.path.basename(path), data)
for path in glob.glob('../tests/fixtures/**/*.ods', recursive=True):
    data = open(path, 'rb').read()
    if len(data) < 131072:
        put('read_ods', 'whole-' + os.path.basename(path), b'\x02' + data)
for path in glob.glob('../tests/bad_input/*.xls'):
    data = open(path, 'rb').read()
    if len(data) < 131072:
        put('read_xls', os.path.basename(path), data)
        put('load', os.path.basename(path), data)
PY
echo seeded: $(ls corpus/*/ | wc -l) files
