"""The draw-day post card.

content.py  what it says (CardContent, card_texts, caption, card_file_name): pure
drawing.py  how it looks (render_card -> CardImage, the CJK fonts): Pillow
"""
