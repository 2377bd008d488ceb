"""coldcheck: provable prop-firearm safety on film and TV sets."""

__version__ = "0.1.0"
