# Entry points. See README.md.
.PHONY: help demo test bench tree export kernel selftests deps clean
CONFIG ?= main

help:
	@echo "make demo       main job: build + boot the patched kernel, noiommu DMA demo"
	@echo "make test       everything; ends with 'N passed, N failed'"
	@echo "make bench      GET_PA / map / pagemap benchmark in the guest -> build/bench/"
	@echo "make tree       build/linux = Debian linux-source-7.2 base + patches/"
	@echo "make export     build/linux base..HEAD -> patches/"
	@echo "make kernel     build one config (CONFIG=main|debug)"
	@echo "make selftests  build the guest kselftests for CONFIG"

demo:
	@scripts/demo.sh
test:
	@scripts/test.sh
bench:
	@scripts/bench.sh
tree:
	@scripts/tree.sh
export:
	@scripts/export.sh
kernel:
	@scripts/build-kernel.sh $(CONFIG)
selftests:
	@scripts/build-selftests.sh $(CONFIG) iommu vfio
deps:
	@scripts/deps.sh
clean:
	rm -rf build/out build/selftests build/logs
