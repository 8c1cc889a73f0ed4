"""The adapters: data formats, SFT (QLoRA/LoRA), DPO/IPO, the adapter registry, merge and export."""
