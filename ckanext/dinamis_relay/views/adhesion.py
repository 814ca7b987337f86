"""Adhesion pages: organization tab, multi-step form, legal representative, queues."""

from __future__ import annotations
