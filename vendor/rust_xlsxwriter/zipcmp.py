"""Compares two xlsx files written by the published and the patched rust_xlsxwriter:
same entries in the same order, same contents, same local headers but for a CRC-32
field that is 0 in the first and the entry's CRC in the second, same compressed sizes
and CRCs in the central directory.  Usage: python3 zipcmp.py PUBLISHED.xlsx PATCHED.xlsx"""
import zipfile, struct, sys
pa, pb = sys.argv[1], sys.argv[2]
a=open(pa,'rb').read(); b=open(pb,'rb').read()
za=zipfile.ZipFile(pa); zb=zipfile.ZipFile(pb)
names=[i.filename for i in za.infolist()]
assert names==[i.filename for i in zb.infolist()], "entry order differs"
crc_only=0; other=[]
for ia,ib in zip(za.infolist(), zb.infolist()):
    if za.read(ia)!=zb.read(ib):
        other.append(ia.filename+" (content)"); continue
    ha=a[ia.header_offset:ia.header_offset+30]; hb=b[ib.header_offset:ib.header_offset+30]
    if ha[:14]!=hb[:14] or ha[18:]!=hb[18:]:
        other.append(ia.filename+" (header)"); continue
    if ha[14:18]!=hb[14:18]:
        assert struct.unpack('<I',ha[14:18])[0]==0 and struct.unpack('<I',hb[14:18])[0]==ib.CRC, ia.filename
        crc_only+=1
    if ia.CRC!=ib.CRC or ia.compress_size!=ib.compress_size:
        other.append(ia.filename+" (compressed size/crc)")
print(f"{len(names)} entries; local-header CRC filled in: {crc_only}; other differences: {other}")
