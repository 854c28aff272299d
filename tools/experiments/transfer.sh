#!/bin/sh
# The transfer-learning experiment of issue #3, reproducible end to end:
#   1. pretrain ResNet-20 on five CIFAR-10 classes (airplane, automobile, bird, cat, deer; all 25,000 images);
#   2. transfer to the other five (dog, frog, horse, ship, truck) with only 100 labelled images per class,
#      three ways: frozen features (only a new head trains), fine-tune all (new head, every layer trains),
#      and from scratch (no pretraining);
#   3. print the test accuracy of each on the 5,000 test images of those five classes, side by side.
#
#   tools/experiments/transfer.sh [CIFAR10_DIR] [WORK_DIR]      (defaults: ../shared/datasets/cifar10, build/transfer)
#
# The class subsets are folders of symbolic links into CIFAR10_DIR (nothing is copied). The 100 images per
# class are the first 100 of each class folder in sorted order. Environment: DLTRAIN (default: the release
# build), PRETRAIN_EPOCHS (15), TRANSFER_EPOCHS (30), THREADS (every CPU).
set -eu
cd "$(dirname "$0")/../.."
data=$(cd "${1:-../shared/datasets/cifar10}" 2>/dev/null && pwd) || {
    echo "transfer.sh: no CIFAR-10 image folder at ${1:-../shared/datasets/cifar10} (train/<class>/*.jpg, test/<class>/*.jpg)" >&2
    exit 1
}
work=${2:-build/transfer}
pretrain_epochs=${PRETRAIN_EPOCHS:-15}
transfer_epochs=${TRANSFER_EPOCHS:-30}
threads=${THREADS:+--threads $THREADS}
if [ -z "${DLTRAIN:-}" ]; then
    swift build -c release --product dltrain >&2
    DLTRAIN=$(swift build -c release --show-bin-path)/dltrain
fi
source_classes="airplane automobile bird cat deer"
target_classes="dog frog horse ship truck"

# folder NAME SPLIT CLASSES [PER_CLASS]: WORK/NAME/SPLIT/<class> holding links to the class's images.
folder() {
    for class in $3; do
        mkdir -p "$work/$1/$2/$class"
        ls "$data/$2/$class" | sort | head -n "${4:-1000000}" | while read -r file; do
            ln -sf "$data/$2/$class/$file" "$work/$1/$2/$class/$file"
        done
    done
}
rm -rf "$work/source" "$work/target"
folder source train "$source_classes"
folder source test "$source_classes"
folder target train "$target_classes" 100
folder target test "$target_classes"

run() { # NAME FLAGS...: one dltrain run into WORK/NAME.ckpt with its log
    name=$1
    shift
    echo "== $name: dltrain $*" >&2
    "$DLTRAIN" --out "$work/$name.ckpt" --log "$work/$name.jsonl" --overwrite --progress none $threads "$@" |
        tee "$work/$name.txt" >&2
}

[ -f "$work/pretrained.ckpt" ] || run pretrained --model resnet20 --data "$work/source" --epochs "$pretrain_epochs" --seed 1
# 500 training images: batch 50 gives ten steps an epoch.
common="--data $work/target --epochs $transfer_epochs --batch-size 50 --seed 2"
run frozen --init "$work/pretrained.ckpt" --reset-head 5 --freeze conv1 --freeze bn1 --freeze 'layer*' \
    --optimizer sgd --lr 0.05 --schedule cosine $common
run finetune --init "$work/pretrained.ckpt" --reset-head 5 --optimizer sgd --lr 0.01 --schedule cosine $common
run scratch --model resnet20 --optimizer sgd --lr 0.05 --schedule cosine $common

accuracy() { sed -n 's/.*final \([0-9.]*%\).*/\1/p' "$work/$1.txt"; }
echo "pretrained on $source_classes: $(accuracy pretrained) test accuracy ($pretrain_epochs epochs)"
echo "transfer to $target_classes, 100 images per class, $transfer_epochs epochs; test accuracy on 5,000 images:"
printf '  %-16s %s\n' "frozen features" "$(accuracy frozen)" "fine-tune all" "$(accuracy finetune)" \
    "from scratch" "$(accuracy scratch)"
