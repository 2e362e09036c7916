n=${n} f=${f} b=${b} s=${s}
