#!/usr/bin/env python3
"""Writes the state-dict keys (name and shape) of torchvision's ResNet-18
for Tests/DeepLearningTests/Zoo (ZooTests.resnet18StateDictMatchesTorchvision).

torchvision is not needed: the model below is torchvision's resnet.py
(BasicBlock, ResNet) written out by hand with torch.nn, same attribute
names and registration order, so its state_dict() keys are torchvision's.

    tools/venv/bin/python tools/golden/make_zoo_keys.py > Tests/DeepLearningTests/Zoo/resnet18_state_dict.txt
"""
import torch.nn as nn


class BasicBlock(nn.Module):
    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample


class ResNet18(nn.Module):
    def __init__(self, num_classes=1000):
        super().__init__()
        self.inplanes = 64
        self.conv1 = nn.Conv2d(3, 64, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        self.layer1 = self._make_layer(64, 2)
        self.layer2 = self._make_layer(128, 2, 2)
        self.layer3 = self._make_layer(256, 2, 2)
        self.layer4 = self._make_layer(512, 2, 2)
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512, num_classes)

    def _make_layer(self, planes, blocks, stride=1):
        downsample = None
        if stride != 1 or self.inplanes != planes:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes, 1, stride, bias=False), nn.BatchNorm2d(planes))
        layers = [BasicBlock(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes
        layers += [BasicBlock(planes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)


if __name__ == "__main__":
    model = ResNet18()
    print(f"# torchvision resnet18 state_dict: name shape; {sum(p.numel() for p in model.parameters())} parameters")
    for name, t in model.state_dict().items():
        print(name, "x".join(str(d) for d in t.shape) or "scalar")
