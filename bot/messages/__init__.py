"""What Podium says, independent of where it is said: replies, text, limits, blocks."""
