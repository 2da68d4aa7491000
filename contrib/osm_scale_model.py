#!/usr/bin/env python3
"""A model for a synthetic grid of examples/osm_grid.rs: models/fjordby.toml with 100 zones on a
10 x 10 lattice over the grid and its facilities moved into the grid.
Usage: python3 contrib/osm_scale_model.py COLS OUT.toml (run from the repository root)."""
import re,sys
n=int(sys.argv[1]); out=sys.argv[2]
ext=n*150/111195.0  # degrees lat
import math
extlon=n*150/(111195.0*math.cos(math.radians(60)))
s=open('models/fjordby.toml').read()
# drop zones
blocks=re.split(r'(?m)^(?=\[\[zones\]\])',s)
head=blocks[0]; rest=''.join(blocks[1:])
# remove all zone blocks: each zone block runs until next [[ or [ header not zones
zone_re=re.compile(r'(?ms)^\[\[zones\]\].*?(?=^\[(?!\[zones))')
rest=zone_re.sub('',rest)
def mp(m):
    lat=float(m.group(2)); return f"{m.group(1)}lat = {60.0+ (lat-62.4)/0.7*ext*0.9:.5f}"
def ml(m):
    lon=float(m.group(2)); return f"{m.group(1)}lon = {10.0+ (lon-6.0)/2.2*extlon*0.9:.5f}"
rest=re.sub(r'(?m)^(\s*)lat = ([0-9.]+)',mp,rest); rest=re.sub(r'(?m)^(\s*)lon = ([0-9.]+)',ml,rest)
z=[]
for i in range(10):
  for j in range(10):
    cls='urban' if (i<3 and j<3) else 'rural'
    z.append(f'[[zones]]\nname = "Z{i}-{j}"\npopulation = 410\nlat = {60.0+ext*(0.05+0.09*i):.5f}\nlon = {10.0+extlon*(0.05+0.09*j):.5f}\nclass = "{cls}"\n')
open(out,'w').write(head+'\n'.join(z)+'\n'+rest)
