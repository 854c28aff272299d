# classify --top 1 lines "path: label p%": the fraction with p >= 90% and the entropy of the label histogram
{ p = $NF; sub(/%/, "", p); n++; if (p + 0 >= 90) c++; h[$(NF-1)]++ }
END { e = 0; for (k in h) { q = h[k] / n; e -= q * log(q) }; printf "%d images: confident (p >= 0.9) %.1f%%, class entropy %.3f nats; histogram", n, 100 * c / n, e; for (k in h) printf " %s %d", k, h[k]; print "" }
